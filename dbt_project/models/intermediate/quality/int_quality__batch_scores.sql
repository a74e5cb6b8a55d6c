-- The five data-quality dimensions of every load batch, 0..100, and their combination (docs/quality.md,
-- where each formula is stated and argued):
--   completeness = 100 x (rows read - rows rejected for a missing required value) / rows read
--   validity     = 100 x (rows read - rows rejected for any other reason) / rows read
--     (a failed or refused load delivered nothing usable: 0 for both; a load of no rows: 100)
--   uniqueness   = 100 x distinct records / rows loaded (100 when nothing was loaded)
--   timeliness   = 100 when the gap since the previous succeeded load of the source and tenant is within
--                  the warn window of the source's freshness policy, 0 beyond its fail window, linear in
--                  between; 100 for a first load
--   consistency  = 100 when rows read = loaded + rejected and the raw table and the dead letter hold
--                  exactly those counts (row conservation; a micro-batch of a stream written by key holds
--                  at most what it loaded: a later message replaces a reading) and, for an ERP load, the
--                  sync that read it found the server's count of its window (raw.erp_sync.consistent);
--                  0 otherwise
--   quality_score = the weighted mean of the five (weights: var quality_score_weights).

with

batches as (

    select * from {{ ref('stg_ledger__load_batches') }}

),

dead_letters as (

    select * from {{ ref('stg_ledger__dead_letters') }}

),

batch_records as (

    select * from {{ ref('int_quality__batch_records') }}

),

erp_syncs as (

    select * from {{ ref('stg_ledger__erp_syncs') }}

),

freshness_windows as (

    {% for table, windows in raw_tables().items() %}
    select '{{ table }}' as source, {{ windows[0] }} as warn_seconds, {{ windows[1] }} as fail_seconds
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

rejections as (

    select
        batch_id,
        count(*) as rows_in_dead_letter,
        sum(case when is_missing_value then 1 else 0 end) as rows_missing_value

    from dead_letters
    group by batch_id

),

-- the ERP syncs that read each batch: batch_ids is a JSON list of quoted ids
sync_verdicts as (

    select
        batches.batch_id,
        min(case when erp_syncs.consistent then 1 else 0 end) as syncs_consistent

    from batches
    inner join erp_syncs
        on erp_syncs.tenant_id = batches.tenant_id
        and erp_syncs.source = batches.source
        and erp_syncs.batch_ids like '%"' || batches.batch_id || '"%'
    group by batches.batch_id

),

-- each succeeded load with the start of the succeeded load before it (source, tenant)
succeeded_gaps as (

    select
        batch_id,
        lag(started_at) over (
            partition by tenant_id, source order by started_at, batch_id
        ) as previous_started_at

    from batches
    where status = 'succeeded'

),

measured as (

    select
        batches.batch_id,
        batches.tenant_id,
        batches.source,
        batches.status,
        batches.file_format in ({{ "'" ~ var('quality_keyed_stream_formats') | join("', '") ~ "'" }})
            as is_keyed_stream,
        batches.load_date,
        batches.started_at,
        batches.rows_read,
        batches.rows_loaded,
        batches.rows_rejected,
        coalesce(rejections.rows_missing_value, 0) as rows_missing_value,
        batches.rows_rejected - coalesce(rejections.rows_missing_value, 0) as rows_invalid,
        coalesce(rejections.rows_in_dead_letter, 0) as rows_in_dead_letter,
        coalesce(batch_records.rows_in_table, 0) as rows_in_table,
        coalesce(batch_records.distinct_records, 0) as distinct_records,
        case
            when succeeded_gaps.previous_started_at is not null
                then {{ dbt.datediff('succeeded_gaps.previous_started_at', 'batches.started_at', 'second') }}
        end as seconds_since_previous_load,
        freshness_windows.warn_seconds,
        freshness_windows.fail_seconds,
        sync_verdicts.syncs_consistent

    from batches
    left join rejections on rejections.batch_id = batches.batch_id
    left join batch_records on batch_records.batch_id = batches.batch_id
    left join succeeded_gaps on succeeded_gaps.batch_id = batches.batch_id
    left join freshness_windows on freshness_windows.source = batches.source
    left join sync_verdicts on sync_verdicts.batch_id = batches.batch_id

),

scored as (

    select
        measured.*,
        case
            when status <> 'succeeded' then 0.0
            when rows_read = 0 then 100.0
            else 100.0 * (rows_read - rows_missing_value) / rows_read
        end as completeness,
        case
            when status <> 'succeeded' then 0.0
            when rows_read = 0 then 100.0
            else 100.0 * (rows_read - rows_invalid) / rows_read
        end as validity,
        case
            when rows_in_table = 0 then 100.0
            else 100.0 * distinct_records / rows_in_table
        end as uniqueness,
        case
            when seconds_since_previous_load is null or warn_seconds is null then 100.0
            when seconds_since_previous_load <= warn_seconds then 100.0
            when seconds_since_previous_load >= fail_seconds then 0.0
            else 100.0 * (fail_seconds - seconds_since_previous_load) / (fail_seconds - warn_seconds)
        end as timeliness,
        case
            when rows_read = rows_loaded + rows_rejected
                and (rows_in_table = rows_loaded or (is_keyed_stream and rows_in_table <= rows_loaded))
                and rows_in_dead_letter = rows_rejected
                and coalesce(syncs_consistent, 1) = 1
                then 100.0
            else 0.0
        end as consistency

    from measured

),

final as (

    select
        batch_id,
        tenant_id,
        source,
        'raw.' || source as dataset,
        status,
        load_date,
        started_at,
        rows_read,
        rows_loaded,
        rows_rejected,
        rows_missing_value,
        rows_invalid,
        rows_in_table,
        distinct_records,
        seconds_since_previous_load,
        warn_seconds,
        fail_seconds,
        syncs_consistent,
        {% for dimension in quality_dimensions() -%}
        {{ to_decimal(dimension, 5, 2) }} as {{ dimension }}_score,
        {% endfor -%}
        {{ to_decimal(quality_score_expression(), 5, 2) }} as quality_score

    from scored

)

select * from final
