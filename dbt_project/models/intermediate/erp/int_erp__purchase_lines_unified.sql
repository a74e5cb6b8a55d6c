-- Purchase lines of SAP S/4HANA (stg_sap__purchase_order_items) and Oracle Fusion
-- (stg_oracle__purchase_order_lines) in one shape (greenlang/erp/contracts.py, UnifiedPurchaseLine), already one
-- row per business key (latest change; deletions kept), keyed by purchase_line_key. Per line:
-- 1. Net amount in document currency: SAP order_quantity x net_price_amount / net_price_quantity (the
--    net price is per price unit), Oracle quantity x unit_price; exact decimal(38,12), the division
--    rounded half away from zero (decimal_divide).
-- 2. gl_account: SAP's, of an account-assigned item; Oracle's line extract carries no charge account.
-- 3. reference_date: the order date (SAP); Oracle's line extract carries no order date, so the
--    earliest last_update_date loaded for the line stands in (reference_date_basis says which);
--    reference_month: its first day.

with

sap_items as (

    select * from {{ ref('stg_sap__purchase_order_items') }}

),

oracle_lines as (

    select * from {{ ref('stg_oracle__purchase_order_lines') }}

),

sap_unified as (

    select
        tenant_id,
        'sap' as source_system,
        purchase_order as source_document_id,
        purchase_order_item as source_line_id,
        purchase_order as document_number,
        supplier,
        cast(null as {{ dbt.type_string() }}) as supplier_name,
        material,
        material_group as category,
        gl_account,
        cast(null as {{ dbt.type_string() }}) as description,
        company_code as purchasing_unit,
        purchase_order_date as order_date,
        purchase_order_date as reference_date,
        'order_date' as reference_date_basis,
        order_quantity as quantity,
        unit_source_code,
        unit,
        net_price_amount,
        net_price_quantity,
        {{ decimal_divide(to_decimal('order_quantity * net_price_amount'), 'net_price_quantity') }}
            as net_amount,
        document_currency as currency,
        is_deleted,
        coalesce(deletion_code, 'active') as source_status,
        last_change_datetime as changed_at,
        _batch_id,
        _source_uri,
        _source_row,
        _row_sha256,
        _ingested_at

    from sap_items

),

oracle_unified as (

    select
        tenant_id,
        'oracle' as source_system,
        cast(po_header_id as {{ dbt.type_string() }}) as source_document_id,
        cast(po_line_id as {{ dbt.type_string() }}) as source_line_id,
        order_number as document_number,
        cast(supplier_id as {{ dbt.type_string() }}) as supplier,
        supplier_name,
        item as material,
        category_name as category,
        cast(null as {{ dbt.type_string() }}) as gl_account,
        description,
        procurement_bu as purchasing_unit,
        cast(null as date) as order_date,
        cast(first_update_date_seen as date) as reference_date,
        'first_update_seen' as reference_date_basis,
        quantity,
        unit_source_code,
        unit,
        unit_price as net_price_amount,
        {{ to_decimal('1') }} as net_price_quantity,
        {{ to_decimal('quantity * unit_price') }} as net_amount,
        currency_code as currency,
        is_cancelled as is_deleted,
        line_status as source_status,
        last_update_date as changed_at,
        _batch_id,
        _source_uri,
        _source_row,
        _row_sha256,
        _ingested_at

    from oracle_lines

),

unioned as (

    select * from sap_unified
    union all
    select * from oracle_unified

),

keyed as (

    select
        {{ surrogate_key(['tenant_id', 'source_system', 'source_document_id', 'source_line_id']) }}
            as purchase_line_key,
        unioned.*,
        cast({{ dbt.date_trunc('month', 'reference_date') }} as date) as reference_month

    from unioned

),
final as (

    select * from keyed

)

select * from final
