-- Metered energy consumption, grain: meter x UTC day (int_ghg__meter_days: deduplicated readings,
-- ACTUAL beats ESTIMATED, latest version wins; kWh through unit_conversions_ghg).
-- Incremental: re-reads the meter-days that received a reading from var('late_arrival_lookback_days')
-- days before the newest _ingested_at already loaded, recomputes those days from all their readings
-- and replaces them by meter_day_key (delete+insert, the same on DuckDB, Postgres and Snowflake); a
-- re-run inserts the same rows again, so it changes nothing. An ESTIMATED day later corrected by
-- ACTUAL readings is recomputed in the run that loads them.
-- Provenance: _batch_id / _source_row of the latest received reading of the day.
-- Laid out by day for the day-filtered reads of Looker and the ESRS reports: an index on
-- (tenant_id, consumption_date) on Postgres and DuckDB, clustering by day on Snowflake.

{{ config(
    materialized='incremental',
    unique_key='meter_day_key',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    indexes=[{'columns': ['tenant_id', 'consumption_date']}],
    cluster_by=['consumption_date']
) }}

with

meter_days as (

    select * from {{ ref('int_ghg__meter_days') }}

    {{ late_arrival_filter('_ingested_at') }}

),

final as (

    select
        meter_day_key,
        meter_key,
        facility_id,
        tenant_id,
        meter_id,
        site_id,
        energy_carrier,
        consumption_date,
        {{ year_of('consumption_date') }} as reporting_year,
        consumption_kwh,
        non_consumption_kwh,
        reading_count,
        actual_readings,
        estimated_readings,
        missing_readings,
        replaced_estimates,
        _batch_id,
        _source_row,
        _ingested_at

    from meter_days

)

select * from final
