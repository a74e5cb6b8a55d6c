-- GB regional grid carbon intensity, half-hourly (Carbon Intensity API shape), one row per
-- (region, from_utc): a measured value wins over a forecast-only record whatever the arrival order,
-- then the latest received version. intensity_g_co2_per_kwh = actual when measured, else forecast
-- (is_actual tells which). Kept for time-matched (hourly) Scope 2 analyses; the annual inventory
-- uses the DESNZ UK electricity factor for GB sites (int_ghg__emission_requests).

with

source as (

    select * from {{ source('raw', 'grid__carbon_intensity') }}

),

renamed as (

    select
        tenant_id,
        trim(region) as region,
        cast(from_utc as {{ dbt.type_timestamp() }}) as from_utc,
        cast(to_utc as {{ dbt.type_timestamp() }}) as to_utc,
        cast(forecast as integer) as forecast_g_co2_per_kwh,
        cast(actual as integer) as actual_g_co2_per_kwh,
        {{ ghg_normalise('intensity_index') }} as intensity_index,
        {{ provenance_columns() }}

    from source

),

ranked as (

    {{ latest_per_key(
        'renamed',
        partition_by=['tenant_id', 'region', 'from_utc'],
        prefer=['case when actual_g_co2_per_kwh is not null then 0 else 1 end'],
        rank_column='version_rank'
    ) }}

),

final as (

    select
        tenant_id,
        region,
        from_utc,
        to_utc,
        forecast_g_co2_per_kwh,
        actual_g_co2_per_kwh,
        coalesce(actual_g_co2_per_kwh, forecast_g_co2_per_kwh) as intensity_g_co2_per_kwh,
        actual_g_co2_per_kwh is not null as is_actual,
        intensity_index,
        _batch_id,
        _source_uri,
        _source_row,
        _row_sha256,
        _ingested_at

    from ranked

)

select * from final
