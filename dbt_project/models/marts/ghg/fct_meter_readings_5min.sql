-- Streamed meter readings in 5-minute tumbling windows, grain: tenant x meter x channel x window (UTC,
-- aligned on midnight). A reading belongs to the window its interval starts in (SCADA's 1-minute
-- intervals: five per full window); longer intervals are not split across windows.
-- Incremental on event time: a run recomputes, from all their readings, only the windows that received a
-- reading (on time, late or corrected) since the newest last_ingested_at already loaded, and replaces them
-- by meter_window_key (delete+insert, the same on DuckDB, Postgres and Snowflake); a re-run changes nothing.

{{ config(
    materialized='incremental',
    unique_key='meter_window_key',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    indexes=[{'columns': ['tenant_id', 'window_start_utc']}],
    cluster_by=['window_start_utc']
) }}

with

readings as (

    select * from {{ ref('stg_meters__stream_readings') }}

),

windowed as (

    select
        readings.*,
        {{ minute_window_start('interval_start_utc', 5) }} as window_start_utc

    from readings

),

{% if is_incremental() %}
touched_windows as (

    select distinct
        tenant_id,
        meter_id,
        channel,
        window_start_utc

    from windowed
    where _ingested_at > (
        select coalesce(max(last_ingested_at), cast('1900-01-01' as {{ dbt.type_timestamp() }}))
        from {{ this }}
    )

),

in_scope as (

    select windowed.*
    from windowed
    inner join touched_windows
        using (tenant_id, meter_id, channel, window_start_utc)

),
{% else %}
in_scope as (

    select * from windowed

),
{% endif %}

aggregated as (

    select
        tenant_id,
        meter_id,
        channel,
        window_start_utc,
        sum(value_kwh) as energy_kwh,
        count(*) as reading_count,
        sum(case when quality_flag = 'ACTUAL' then 1 else 0 end) as actual_readings,
        max(_ingested_at) as last_ingested_at

    from in_scope
    group by tenant_id, meter_id, channel, window_start_utc

),

final as (

    select
        {{ surrogate_key(['tenant_id', 'meter_id', 'channel', 'window_start_utc']) }} as meter_window_key,
        tenant_id,
        meter_id,
        channel,
        window_start_utc,
        {{ dbt.dateadd('minute', 5, 'window_start_utc') }} as window_end_utc,
        cast(window_start_utc as date) as window_date_utc,
        {{ to_decimal('energy_kwh') }} as energy_kwh,
        cast(reading_count as integer) as reading_count,
        cast(actual_readings as integer) as actual_readings,
        cast(last_ingested_at as {{ dbt.type_timestamp() }}) as last_ingested_at

    from aggregated

)

select * from final
