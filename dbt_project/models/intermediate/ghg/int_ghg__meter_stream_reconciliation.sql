-- Streamed vs filed meter readings, grain: tenant x meter x channel x UTC day, for the days before today
-- (a day still streaming is not comparable). The same meter reaches the warehouse twice: in real time from
-- SCADA (stg_meters__stream_readings) and in the nightly settlement files (stg_meters__interval_readings);
-- both must give the day the same energy. status:
--   matched       both sides, |streamed - filed| <= var('meter_stream_reconciliation_tolerance') x filed
--   mismatch      both sides, further apart (the data test on this model fails, as a WARN check)
--   streamed_only / filed_only   one side only (a meter without SCADA, a file not arrived yet)

with

streamed as (

    select
        tenant_id,
        meter_id,
        channel,
        reading_date_utc,
        sum(value_kwh) as streamed_kwh,
        count(*) as streamed_readings

    from {{ ref('stg_meters__stream_readings') }}
    where reading_date_utc < current_date
    group by tenant_id, meter_id, channel, reading_date_utc

),

filed as (

    select
        tenant_id,
        meter_id,
        channel,
        reading_date_utc,
        sum(value_kwh) as filed_kwh,
        count(*) as filed_readings

    from {{ ref('stg_meters__interval_readings') }}
    where reading_date_utc < current_date
    group by tenant_id, meter_id, channel, reading_date_utc

),

compared as (

    select
        coalesce(streamed.tenant_id, filed.tenant_id) as tenant_id,
        coalesce(streamed.meter_id, filed.meter_id) as meter_id,
        coalesce(streamed.channel, filed.channel) as channel,
        coalesce(streamed.reading_date_utc, filed.reading_date_utc) as reading_date_utc,
        {{ to_decimal('streamed.streamed_kwh') }} as streamed_kwh,
        {{ to_decimal('filed.filed_kwh') }} as filed_kwh,
        cast(coalesce(streamed.streamed_readings, 0) as integer) as streamed_readings,
        cast(coalesce(filed.filed_readings, 0) as integer) as filed_readings

    from streamed
    full outer join filed
        on streamed.tenant_id = filed.tenant_id
        and streamed.meter_id = filed.meter_id
        and streamed.channel = filed.channel
        and streamed.reading_date_utc = filed.reading_date_utc

),

final as (

    select
        tenant_id,
        meter_id,
        channel,
        reading_date_utc,
        streamed_kwh,
        filed_kwh,
        streamed_readings,
        filed_readings,
        {{ to_decimal('streamed_kwh - filed_kwh') }} as difference_kwh,
        case
            when filed_readings = 0 then 'streamed_only'
            when streamed_readings = 0 then 'filed_only'
            when abs(coalesce(streamed_kwh, 0) - coalesce(filed_kwh, 0))
                <= {{ to_decimal("'" ~ var('meter_stream_reconciliation_tolerance') ~ "'") }} * abs(coalesce(filed_kwh, 0))
                then 'matched'
            else 'mismatch'
        end as status

    from compared

)

select * from final
