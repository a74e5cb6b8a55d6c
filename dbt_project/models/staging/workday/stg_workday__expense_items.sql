-- Workday expense items (RaaS): business travel and commuting spend, renamed, cast, deduplicated. One
-- row per (tenant_id, expense_item_id): the latest version by last_updated, then _ingested_at, then
-- _source_row (then _batch_id). A reversed item carries a negative amount (contract
-- WorkdayExpenseItem); it is kept and flagged is_reversal. Airport codes upper-case.

with

source as (

    select * from {{ source('raw', 'workday__expense_items') }}

),

renamed as (

    select
        tenant_id,
        expense_item_id,
        worker_id,
        cast(expense_date as date) as expense_date,
        trim(expense_item) as expense_item,
        {{ to_decimal('amount') }} as amount,
        upper(trim(currency)) as currency,
        {{ to_decimal('quantity') }} as quantity,
        nullif(upper(trim(origin)), '') as origin,
        nullif(upper(trim(destination)), '') as destination,
        trim(cost_center) as cost_center,
        cast(last_updated as {{ dbt.type_timestamp() }}) as last_updated,
        {{ provenance_columns() }}

    from source

),

versions as (

    {{ latest_per_key(
        'renamed',
        partition_by=['tenant_id', 'expense_item_id'],
        prefer=['last_updated desc'],
        rank_column='version_recency'
    ) }}

),

final as (

    select
        {{ surrogate_key(['tenant_id', 'expense_item_id']) }} as expense_item_key,
        tenant_id,
        expense_item_id,
        worker_id,
        expense_date,
        expense_item,
        amount,
        currency,
        quantity,
        origin,
        destination,
        cost_center,
        amount < 0 as is_reversal,
        last_updated,
        _batch_id,
        _source_uri,
        _source_row,
        _row_sha256,
        _ingested_at

    from versions

)

select * from final
