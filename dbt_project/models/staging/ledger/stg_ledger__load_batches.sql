-- The load ledger, one row per load (file, API page, workbook) of any status: what the quality models
-- score (docs/quality.md). load_date is the UTC day the load started: the day of the scorecard.

with

batches as (

    select * from {{ source('raw', 'load_batch') }}

),

final as (

    select
        batch_id,
        tenant_id,
        source,
        status,
        file_format,
        rows_read,
        rows_loaded,
        rows_rejected,
        cast(started_at as date) as load_date,
        started_at,
        finished_at

    from batches

)

select * from final
