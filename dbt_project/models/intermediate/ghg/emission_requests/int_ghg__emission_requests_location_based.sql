-- Scope 2 location-based requests of metered electricity and district heat: the grid average of
-- where the energy is used (ghg_location_factor_match_key): GB DESNZ UK electricity, US EPA eGRID
-- subregion of the facility (Table 6, total output rates), elsewhere Ember country intensity;
-- heat: DESNZ district heat and steam (GB).

with

activities as (

    select * from {{ ref('int_ghg__activities') }}
    where activity_type in ('metered_electricity', 'metered_district_heat')

),

final as (

    select
        {{ ghg_request_activity_columns('activities') }}
        2 as scope,
        'location_based' as method,
        'location' as request_part,
        quantity as request_quantity,
        unit_code as request_unit_code,
        calorific_basis as request_calorific_basis,
        {{ ghg_location_factor_match_key('activities') }} as factor_match_key

    from activities

)

select * from final
