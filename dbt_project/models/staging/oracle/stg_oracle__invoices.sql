-- Oracle Fusion payables invoices (REST invoices): renamed, cast, deduplicated. One row per
-- (tenant_id, invoice_id): the latest version by last_update_date, then _ingested_at, then
-- _source_row (then _batch_id). A canceled invoice is kept, flagged is_cancelled (CanceledFlag).

with

source as (

    select * from {{ source('raw', 'oracle__invoices') }}

),

renamed as (

    select
        tenant_id,
        cast(invoice_id as bigint) as invoice_id,
        trim(invoice_number) as invoice_number,
        trim(supplier) as supplier_name,
        trim(supplier_number) as supplier_number,
        {{ to_decimal('invoice_amount') }} as invoice_amount,
        upper(trim(invoice_currency)) as invoice_currency,
        cast(invoice_date as date) as invoice_date,
        trim(business_unit) as business_unit,
        lower(trim(canceled_flag)) = 'true' as is_cancelled,
        cast(last_update_date as {{ dbt.type_timestamp() }}) as last_update_date,
        {{ provenance_columns() }}

    from source

),

versions as (

    {{ latest_per_key(
        'renamed',
        partition_by=['tenant_id', 'invoice_id'],
        prefer=['last_update_date desc'],
        rank_column='version_recency'
    ) }}

),

final as (

    select
        {{ surrogate_key(['tenant_id', 'invoice_id']) }} as invoice_key,
        tenant_id,
        invoice_id,
        invoice_number,
        supplier_name,
        supplier_number,
        invoice_amount,
        invoice_currency,
        invoice_date,
        business_unit,
        is_cancelled,
        last_update_date,
        _batch_id,
        _source_uri,
        _source_row,
        _row_sha256,
        _ingested_at

    from versions

)

select * from final
