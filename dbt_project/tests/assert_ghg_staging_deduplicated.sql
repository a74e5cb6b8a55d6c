-- The deduplicating staging models keep one row per business key (meter readings per meter,
-- channel and interval; grid intensity per region and half hour; factor publications per id).
select 'stg_meters__interval_readings' as model, count(*) as rows_per_key
from {{ ref('stg_meters__interval_readings') }}
group by tenant_id, meter_id, channel, interval_start_utc
having count(*) > 1

union all

select 'stg_grid__carbon_intensity' as model, count(*) as rows_per_key
from {{ ref('stg_grid__carbon_intensity') }}
group by tenant_id, region, from_utc
having count(*) > 1

union all

select 'stg_desnz__conversion_factors' as model, count(*) as rows_per_key
from {{ ref('stg_desnz__conversion_factors') }}
group by publisher, edition, version, factor_id
having count(*) > 1
