-- The emission factors that tenants' contractual instruments convey (GO, REGO, PPA, supplier mix;
-- GHG Protocol Scope 2 Guidance, market-based method), in the common shape of the factor store, so
-- that a market-based emission row references its factor like every other row. tenant_id is the
-- instrument's tenant (not 'global'); publisher_factor_id = '<tenant>/<instrument_id>';
-- factor_match_key 'instrument|<tenant>/<instrument_id>'; kg CO2e per kWh, gas CO2e.

with

instruments as (

    select * from {{ ref('stg_energy__contractual_instruments') }}

),

final as (

    select
        tenant_id,
        'contractual_instrument' as publisher,
        instrument_type as edition,
        '1' as version,
        _ingested_at as published_at,
        tenant_id || '/' || instrument_id as publisher_factor_id,
        'Scope 2' as scope_published,
        'Contractual instrument' as level_1,
        instrument_type as level_2,
        instrument_id as level_3,
        site_id as level_4,
        cast(null as {{ dbt.type_string() }}) as column_text,
        'Contractual instrument > ' || instrument_type || ' > ' || instrument_id as activity_path,
        {{ ghg_match_key(["'instrument'", "tenant_id || '/' || instrument_id"]) }} as factor_match_key,
        {{ ghg_match_key(['tenant_id', 'instrument_id']) }} as factor_set_key,
        site_id as region,
        'kWh' as unit,
        'kWh' as unit_code,
        cast(null as {{ dbt.type_string() }}) as calorific_basis,
        'CO2e' as gas,
        emission_factor_kg_per_kwh as published_value,
        'kg CO2e / kWh' as published_unit,
        'co2e' as value_kind,
        cast(null as {{ dbt.type_string() }}) as published_gwp_basis,
        cast(null as {{ dbt.type_string() }}) as gwp_gas_key,
        {{ to_decimal('1') }} as mass_to_kg,
        {{ year_of('period_start') }} as factor_year,
        _batch_id,
        _source_row

    from instruments

)

select * from final
