-- Requests of burnt fuels (fuel records, natural-gas meters), per unit and calorific basis, at the
-- publisher of the site's jurisdiction (int_ghg__activities.factor_publisher: seed
-- ghg_factor_jurisdictions, else var ghg_default_factor_publisher):
--   Scope 1 stationary_combustion  EPA: US EPA GHG Emission Factors Hub Table 1 row of the fuel
--                                  (ghg_fuels.epa_table1_row), key 'epa table 1|<row>'; the matcher
--                                  takes the per-physical-unit set (short ton, scf, gallon) for a
--                                  physical quantity and the per-mmBtu (HHV) set for an energy one
--                                  on the gross basis; DESNZ: Fuels / Bioenergy of the fuel
--   Scope 1 mobile_combustion      EPA: Hub Table 2 (kg CO2 per gallon or scf by fuel,
--                                  ghg_fuels.epa_table2_row), key 'epa table 2|<row>': CO2 only
--                                  (int_ghg__emissions notes it); DESNZ: as stationary
--   Scope 3 cat 3 well_to_tank     DESNZ WTT- fuels / WTT- bioenergy of the fuel, every country (EPA
--                                  publishes no WTT factor: at a US site the row is flagged
--                                  factor_jurisdiction_mismatch)
-- fallback_factor_match_key: the default publisher's key when it is not the site's publisher, used
-- when the site's publisher has no factor the quantity converts into: a fuel without an EPA row
-- (biomass: EPA's CO2 is biogenic, reported apart; unmapped fuels), a liquid in kg, a net-basis kWh.

{%- set default_publisher = ghg_default_factor_publisher() %}
{%- set desnz_key = ghg_match_key(['desnz_level_1', 'desnz_level_2', 'desnz_level_3', 'null', 'null']) %}
{%- set epa_key = 'case when epa_row is not null then ' ~ ghg_match_key(['epa_table', 'epa_row']) ~ ' end' %}

with

activities as (

    select * from {{ ref('int_ghg__activities') }}
    where activity_type in ('stationary_fuel', 'mobile_fuel', 'metered_natural_gas')

),

fuels as (

    select * from {{ ref('ghg_fuels') }}

),

with_epa_rows as (

    select
        activities.*,
        case
            when activities.activity_type = 'mobile_fuel' then 'epa table 2'
            else 'epa table 1'
        end as epa_table,
        nullif(case
            when activities.activity_type = 'mobile_fuel' then fuels.epa_table2_row
            else fuels.epa_table1_row
        end, '') as epa_row

    from activities
    left join fuels
        on activities.fuel_key = fuels.fuel

),

combustion as (

    select
        {{ ghg_request_activity_columns('with_epa_rows') }}
        1 as scope,
        cast(null as integer) as scope_3_category,
        case when activity_type = 'mobile_fuel' then 'mobile_combustion' else 'stationary_combustion' end as method,
        'combustion' as request_part,
        case factor_publisher
            when 'EPA' then {{ epa_key }}
            when 'DESNZ' then {{ desnz_key }}
        end as factor_match_key,
        case
            when factor_publisher <> {{ default_publisher }} then
                case {{ default_publisher }}
                    when 'EPA' then {{ epa_key }}
                    when 'DESNZ' then {{ desnz_key }}
                end
        end as fallback_factor_match_key,
        quantity as request_quantity,
        unit_code as request_unit_code,
        calorific_basis as request_calorific_basis

    from with_epa_rows

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
        cast(null as {{ dbt.type_string() }}) as fallback_factor_match_key,
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
