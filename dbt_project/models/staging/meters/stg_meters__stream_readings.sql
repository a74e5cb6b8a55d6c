-- Meter readings streamed from SCADA (raw.meters__stream_readings), one row per (tenant, meter, channel,
-- interval start UTC) already: the micro-batch writer upserts the winning version (ACTUAL beats SUBSTITUTED
-- beats ESTIMATED beats MISSING, then the later message), so staging only renames, casts and converts the
-- value to kWh through unit_conversions_ghg (as stg_meters__interval_readings does for the files).

with

source as (

    select * from {{ source('raw', 'meters__stream_readings') }}

),

units as (

    {{ ghg_energy_units() }}

),

typed as (

    select
        source.tenant_id,
        source.meter_id,
        {{ ghg_normalise('source.channel') }} as channel,
        cast(source.interval_start as {{ dbt.type_timestamp() }}) as interval_start_utc,
        cast(source.interval_end as {{ dbt.type_timestamp() }}) as interval_end_utc,
        {{ to_decimal('source.value') }} as value,
        trim(source.unit) as unit,
        units.unit_code,
        {{ ghg_multiply('source.value', 'units.to_base_factor') }} as value_kwh,
        source.quality_flag,
        {{ provenance_columns('source') }}

    from source
    left join units
        on {{ ghg_normalise('source.unit') }} = units.unit

),

final as (

    -- the UTC day of the cast timestamp (a truncation, not a cast of what the contract accepted)
    select
        typed.*,
        cast(interval_start_utc as date) as reading_date_utc

    from typed

)

select * from final
