-- Spend-based (environmentally extended input-output) factors in the common shape of the factor
-- store, so that the Scope 3 category 1 rows of fct_ghg_emissions reference dim_emission_factor like
-- every other row: U.S. EPA Supply Chain GHG Emission Factors for US Industries and Commodities
-- v1.3.0 (seed eeio_factors_usepa of the ERP models: kg CO2e per 2022 USD at purchaser price, AR5
-- GWP-100, by 2017 NAICS-6 code). publisher 'USEPA Supply Chain', edition = the publication label,
-- publisher_factor_id = the NAICS code, gas CO2e (all GHGs, no split: never re-expressed on another
-- GWP basis), value = sef_with_margins, unit = '<price year> <currency>' (not a physical unit: these
-- factors are applied by int_ghg__emissions_spend_based, never by the unit-converting matcher).

with

factors as (

    select * from {{ ref('eeio_factors_usepa') }}

),

final as (

    select
        'global' as tenant_id,
        'USEPA Supply Chain' as publisher,
        publication as edition,
        '1' as version,
        cast(null as {{ dbt.type_timestamp() }}) as published_at,
        naics_code as publisher_factor_id,
        'Scope 3' as scope_published,
        'Supply chain emission factors' as level_1,
        naics_code as level_2,
        naics_title as level_3,
        cast(null as {{ dbt.type_string() }}) as level_4,
        'with margins' as column_text,
        'Supply chain emission factors > ' || naics_code || ' ' || naics_title as activity_path,
        {{ ghg_match_key(["'eeio'", 'naics_code']) }} as factor_match_key,
        {{ ghg_match_key(['naics_code']) }} as factor_set_key,
        'US' as region,
        cast(price_year as {{ dbt.type_string() }}) || ' ' || currency as unit,
        cast(null as {{ dbt.type_string() }}) as unit_code,
        cast(null as {{ dbt.type_string() }}) as calorific_basis,
        'CO2e' as gas,
        {{ to_decimal('sef_with_margins') }} as published_value,
        unit as published_unit,
        'co2e' as value_kind,
        'AR5' as published_gwp_basis,
        cast(null as {{ dbt.type_string() }}) as gwp_gas_key,
        {{ to_decimal('1') }} as mass_to_kg,
        cast(price_year as integer) as factor_year,
        cast(null as {{ dbt.type_string() }}) as _batch_id,
        cast(null as bigint) as _source_row

    from factors

)

select * from final
