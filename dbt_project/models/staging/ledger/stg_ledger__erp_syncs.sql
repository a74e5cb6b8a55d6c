-- ERP syncs, one row each: whether the server's window count matched what the sync read (consistent),
-- and the load batches (JSON list of ids, as text) that hold what it read.

with

syncs as (

    select * from {{ source('raw', 'erp_sync') }}

),

final as (

    select
        sync_id,
        tenant_id,
        source,
        consistent,
        batch_ids,
        started_at

    from syncs

)

select * from final
