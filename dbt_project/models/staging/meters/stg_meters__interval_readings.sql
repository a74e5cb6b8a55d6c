-- Interval meter readings, one row per (tenant, meter, channel, interval start in UTC): the version
-- that wins among every record received for the interval.
-- 1. Times: raw holds UTC whatever the file showed (contract MeterReading converts local times with
--    their IANA `timezone`, which raw keeps only to say what the file showed), so a day downstream is
--    always a UTC day.
-- 2. Units: the value in kWh through the unit_conversions_ghg seed (energy units only: Wh, kWh, MWh,
--    GJ ...). A unit the seed does not know gives value_kwh NULL and unit_code NULL; it is never
--    guessed (int_ghg__activities fails the build on it).
-- 3. Deduplication: ACTUAL beats SUBSTITUTED beats ESTIMATED beats MISSING whatever the arrival
--    order (a later estimate never overwrites a measured value); within the same quality the latest
--    received version wins (latest_per_key tie-break: _ingested_at, _source_row, _batch_id).
--    replaced_estimate is true when an ACTUAL value replaced an ESTIMATED one received for the same
--    interval.

with

source as (

    select * from {{ source('raw', 'meters__interval_readings') }}

),

units as (

    {{ ghg_energy_units() }}

),

renamed as (

    select
        source.tenant_id,
        source.meter_id,
        {{ ghg_normalise('source.channel') }} as channel,
        cast(source.interval_start as {{ dbt.type_timestamp() }}) as interval_start_utc,
        cast(source.interval_end as {{ dbt.type_timestamp() }}) as interval_end_utc,
        nullif(trim(source.timezone), '') as timezone,
        {{ to_decimal('source.value') }} as value,
        trim(source.unit) as unit,
        units.unit_code,
        {{ ghg_multiply('source.value', 'units.to_base_factor') }} as value_kwh,
        upper(trim(source.quality_flag)) as quality_flag,
        case upper(trim(source.quality_flag))
            when 'ACTUAL' then 1
            when 'SUBSTITUTED' then 2
            when 'ESTIMATED' then 3
            when 'MISSING' then 4
            else 5
        end as quality_rank,
        {{ provenance_columns('source') }}

    from source
    left join units
        on {{ ghg_normalise('source.unit') }} = units.unit

),

versions as (

    select
        renamed.*,
        count(*) over (
            partition by tenant_id, meter_id, channel, interval_start_utc
        ) as versions_received,
        max(case when quality_flag = 'ESTIMATED' then 1 else 0 end) over (
            partition by tenant_id, meter_id, channel, interval_start_utc
        ) as had_estimate

    from renamed

),

ranked as (

    -- the best quality flag first (ACTUAL, SUBSTITUTED, ESTIMATED, MISSING), then the latest version
    {{ latest_per_key(
        'versions',
        partition_by=['tenant_id', 'meter_id', 'channel', 'interval_start_utc'],
        prefer=['quality_rank'],
        rank_column='version_rank'
    ) }}

),

final as (

    select
        tenant_id,
        meter_id,
        channel,
        interval_start_utc,
        interval_end_utc,
        cast(interval_start_utc as date) as reading_date_utc,
        timezone,
        value,
        unit,
        unit_code,
        value_kwh,
        quality_flag,
        cast(versions_received as integer) as versions_received,
        (quality_flag = 'ACTUAL' and had_estimate = 1) as replaced_estimate,
        _batch_id,
        _source_uri,
        _source_row,
        _row_sha256,
        _ingested_at

    from ranked

)

select * from final
