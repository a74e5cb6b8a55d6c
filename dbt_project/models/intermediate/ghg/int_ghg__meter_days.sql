-- Metered energy per meter and UTC day: the deduplicated interval readings (stg_meters__interval_readings:
-- ACTUAL beats ESTIMATED, latest version wins) joined to the meter configuration (seed ghg_meters:
-- site, energy carrier, which channels count as consumption, calorific basis of gas meters) and
-- summed per (tenant, meter, UTC date of the interval start).
-- consumption_kwh: the channels that count as consumption (grid import, on-site self-consumption);
-- other channels (export) in non_consumption_kwh. MISSING intervals add nothing and are counted.
-- unknown_unit_readings / unconfigured_readings: readings whose unit the unit seed does not know, or
-- whose meter/channel the meter seed does not list; int_ghg__activities flags such days and the
-- build fails (never a silent zero).
-- Provenance: _batch_id / _source_row of the latest received reading of the day (the order of the
-- latest_per_key tie-break); max_ingested_at
-- drives the incremental fct_energy_consumption.

with

readings as (

    select * from {{ ref('stg_meters__interval_readings') }}

),

meters as (

    select
        tenant_id,
        meter_id,
        {{ ghg_normalise('channel') }} as channel,
        site_id,
        {{ ghg_normalise('energy_carrier') }} as energy_carrier,
        counts_as_consumption,
        {{ ghg_calorific_basis('calorific_basis') }} as calorific_basis

    from {{ ref('ghg_meters') }}

),

configured as (

    select
        readings.*,
        meters.site_id,
        meters.energy_carrier,
        meters.counts_as_consumption,
        meters.calorific_basis,
        meters.meter_id is not null as is_configured,
        row_number() over (
            partition by readings.tenant_id, readings.meter_id, readings.reading_date_utc
            order by {{ latest_per_key_tie_break('readings') | join(', ') }}
        ) as recency

    from readings
    left join meters
        on readings.tenant_id = meters.tenant_id
        and readings.meter_id = meters.meter_id
        and readings.channel = meters.channel

),

aggregated as (

    select
        tenant_id,
        meter_id,
        reading_date_utc,
        max(site_id) as site_id,
        max(energy_carrier) as energy_carrier,
        max(calorific_basis) as calorific_basis,
        sum(case when counts_as_consumption then value_kwh end) as consumption_kwh,
        sum(case when not counts_as_consumption then value_kwh end) as non_consumption_kwh,
        count(*) as reading_count,
        sum(case when quality_flag = 'ACTUAL' then 1 else 0 end) as actual_readings,
        sum(case when quality_flag in ('ESTIMATED', 'SUBSTITUTED') then 1 else 0 end) as estimated_readings,
        sum(case when quality_flag = 'MISSING' or value is null then 1 else 0 end) as missing_readings,
        sum(case when replaced_estimate then 1 else 0 end) as replaced_estimates,
        sum(case when value is not null and unit_code is null then 1 else 0 end) as unknown_unit_readings,
        sum(case when not is_configured then 1 else 0 end) as unconfigured_readings,
        max(_ingested_at) as max_ingested_at

    from configured
    group by tenant_id, meter_id, reading_date_utc

),

latest_reading as (

    select
        tenant_id,
        meter_id,
        reading_date_utc,
        _batch_id,
        _source_row

    from configured
    where recency = 1

),

final as (

    select
        {{ surrogate_key(['aggregated.tenant_id', 'aggregated.meter_id', 'aggregated.reading_date_utc']) }}
            as meter_day_key,
        {{ surrogate_key(['aggregated.tenant_id', 'aggregated.meter_id']) }} as meter_key,
        case
            when aggregated.site_id is not null
                then {{ surrogate_key(['aggregated.tenant_id', 'aggregated.site_id']) }}
        end as facility_id,
        aggregated.tenant_id,
        aggregated.meter_id,
        aggregated.site_id,
        aggregated.energy_carrier,
        aggregated.calorific_basis,
        aggregated.reading_date_utc as consumption_date,
        {{ to_decimal('aggregated.consumption_kwh') }} as consumption_kwh,
        {{ to_decimal('aggregated.non_consumption_kwh') }} as non_consumption_kwh,
        cast(aggregated.reading_count as integer) as reading_count,
        cast(aggregated.actual_readings as integer) as actual_readings,
        cast(aggregated.estimated_readings as integer) as estimated_readings,
        cast(aggregated.missing_readings as integer) as missing_readings,
        cast(aggregated.replaced_estimates as integer) as replaced_estimates,
        cast(aggregated.unknown_unit_readings as integer) as unknown_unit_readings,
        cast(aggregated.unconfigured_readings as integer) as unconfigured_readings,
        latest_reading._batch_id,
        latest_reading._source_row,
        aggregated.max_ingested_at as _ingested_at

    from aggregated
    inner join latest_reading
        on aggregated.tenant_id = latest_reading.tenant_id
        and aggregated.meter_id = latest_reading.meter_id
        and aggregated.reading_date_utc = latest_reading.reading_date_utc

)

select * from final
