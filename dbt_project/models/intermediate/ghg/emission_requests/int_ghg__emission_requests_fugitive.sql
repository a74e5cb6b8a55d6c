-- Scope 1 fugitive requests: refrigerant top-ups (kg) x the DESNZ "Refrigerant & other" factor of
-- the substance (its GWP; column "Emissions including only Kyoto products").

with

activities as (

    select * from {{ ref('int_ghg__activities') }}
    where activity_type = 'refrigerant'

),

final as (

    select
        {{ ghg_request_activity_columns('activities') }}
        1 as scope,
        'fugitive' as method,
        'top_up' as request_part,
        quantity as request_quantity,
        unit_code as request_unit_code,
        {{ ghg_match_key([
            'desnz_level_1', 'desnz_level_2', 'desnz_level_3', 'null', "'Emissions including only Kyoto products'"
        ]) }} as factor_match_key

    from activities

)

select * from final
