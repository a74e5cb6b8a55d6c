-- Requests of burnt fuels (fuel records, natural-gas meters), per unit and calorific basis:
--   Scope 1 stationary_combustion / mobile_combustion  DESNZ Fuels / Bioenergy factor of the fuel
--   Scope 3 cat 3 well_to_tank                          DESNZ WTT- fuels / WTT- bioenergy of the fuel,
--                                                       every country (UK supply chains: the only
--                                                       WTT factors in the store)
-- The fuel's DESNZ path comes from the seed ghg_fuels (int_ghg__activities_fuels, _meters).

with

activities as (

    select * from {{ ref('int_ghg__activities') }}
    where activity_type in ('stationary_fuel', 'mobile_fuel', 'metered_natural_gas')

),

combustion as (

    select
        {{ ghg_request_activity_columns('activities') }}
        1 as scope,
        cast(null as integer) as scope_3_category,
        case when activity_type = 'mobile_fuel' then 'mobile_combustion' else 'stationary_combustion' end as method,
        'combustion' as request_part,
        {{ ghg_match_key(['desnz_level_1', 'desnz_level_2', 'desnz_level_3', 'null', 'null']) }} as factor_match_key,
        quantity as request_quantity,
        unit_code as request_unit_code,
        calorific_basis as request_calorific_basis

    from activities

),

well_to_tank as (

    select
        {{ ghg_request_activity_columns('activities') }}
        3 as scope,
        3 as scope_3_category,
        'well_to_tank' as method,
        'fuel_wtt' as request_part,
        {{ ghg_match_key(['desnz_wtt_level_1', 'desnz_wtt_level_2', 'desnz_wtt_level_3', 'null', 'null']) }}
            as factor_match_key,
        quantity as request_quantity,
        unit_code as request_unit_code,
        calorific_basis as request_calorific_basis

    from activities

),

final as (

    select * from combustion
    union all
    select * from well_to_tank

)

select * from final
