-- Volume: rows received per source, tenant and day (succeeded loads, by the UTC day they started),
-- against the median of the same source and tenant over its previous delivery days, at most
-- var('volume_baseline_days') of them (docs/quality.md). volume_change = rows / median - 1;
-- is_volume_change when |volume_change| >= var('volume_change_threshold') (50 %: the plan's rule).
-- Delivery days, not calendar days: a monthly source compares with its previous months, and a day
-- without delivery is freshness's business, not volume's. The first delivery day has no baseline.

with

batches as (

    select * from {{ ref('stg_ledger__load_batches') }}
    where status = 'succeeded'

),

daily as (

    select
        tenant_id,
        source,
        load_date,
        sum(rows_read) as rows_received,
        count(*) as loads

    from batches
    group by tenant_id, source, load_date

),

numbered as (

    select
        daily.*,
        row_number() over (partition by tenant_id, source order by load_date) as delivery_day

    from daily

),

baselines as (

    select
        numbered.tenant_id,
        numbered.source,
        numbered.load_date,
        count(previous.load_date) as baseline_days,
        {{ median('previous.rows_received') }} as baseline_rows

    from numbered
    inner join numbered as previous
        on previous.tenant_id = numbered.tenant_id
        and previous.source = numbered.source
        and previous.delivery_day < numbered.delivery_day
        and previous.delivery_day >= numbered.delivery_day - {{ var('volume_baseline_days') }}
    group by numbered.tenant_id, numbered.source, numbered.load_date

),

final as (

    select
        numbered.tenant_id,
        numbered.source,
        'raw.' || numbered.source as dataset,
        numbered.load_date,
        numbered.rows_received,
        numbered.loads,
        coalesce(baselines.baseline_days, 0) as baseline_days,
        {{ to_decimal('baselines.baseline_rows', 38, 2) }} as baseline_rows,
        case
            when baselines.baseline_rows > 0
                then {{ to_decimal('numbered.rows_received / ' ~ to_decimal('baselines.baseline_rows') ~ ' - 1', 38, 4) }}
        end as volume_change,
        case
            when baselines.baseline_rows is null then false
            when baselines.baseline_rows = 0 then numbered.rows_received > 0
            else abs(numbered.rows_received / {{ to_decimal('baselines.baseline_rows') }} - 1)
                >= {{ var('volume_change_threshold') }}
        end as is_volume_change

    from numbered
    left join baselines
        on baselines.tenant_id = numbered.tenant_id
        and baselines.source = numbered.source
        and baselines.load_date = numbered.load_date

)

select * from final
