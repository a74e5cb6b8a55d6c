-- Oracle Fusion purchase order lines (REST purchaseOrders, lines child): renamed, cast, codes
-- normalised, deduplicated. One row per (tenant_id, po_header_id, po_line_id): the latest version by
-- last_update_date, then _ingested_at, then _source_row (then _batch_id). A CANCELED line is kept,
-- flagged is_cancelled. first_update_date_seen: the earliest last_update_date of any version in raw,
-- the closest thing to an order date the line extract has (it carries none). UOM code upper-cased
-- (Oracle's "Ea" is EA) and mapped to its UN/ECE Rec 20 code through the unit_conversions seed.

with

source as (

    select * from {{ source('raw', 'oracle__purchase_order_lines') }}

),

units as (

    select
        source_unit_code,
        rec20_code

    from {{ ref('unit_conversions') }}
    where source_system = 'oracle'

),

renamed as (

    select
        source.tenant_id,
        cast(source.po_header_id as bigint) as po_header_id,
        cast(source.po_line_id as bigint) as po_line_id,
        trim(source.order_number) as order_number,
        cast(source.supplier_id as bigint) as supplier_id,
        trim(source.supplier) as supplier_name,
        trim(source.procurement_bu) as procurement_bu,
        upper(trim(source.currency_code)) as currency_code,
        cast(source.line_number as integer) as line_number,
        nullif(trim(source.item), '') as item,
        trim(source.description) as description,
        nullif(trim(source.category_name), '') as category_name,
        {{ to_decimal('source.quantity') }} as quantity,
        upper(trim(source.uom_code)) as unit_source_code,
        {{ to_decimal('source.unit_price') }} as unit_price,
        upper(trim(source.line_status)) as line_status,
        cast(source.last_update_date as {{ dbt.type_timestamp() }}) as last_update_date,
        {{ provenance_columns('source') }}

    from source

),

history as (

    select
        renamed.*,
        min(last_update_date) over (
            partition by tenant_id, po_header_id, po_line_id
        ) as first_update_date_seen

    from renamed

),

versions as (

    {{ latest_per_key(
        'history',
        partition_by=['tenant_id', 'po_header_id', 'po_line_id'],
        prefer=['last_update_date desc'],
        rank_column='version_recency'
    ) }}

),

final as (

    select
        {{ surrogate_key(['versions.tenant_id', 'versions.po_header_id', 'versions.po_line_id']) }}
            as purchase_order_line_key,
        versions.tenant_id,
        versions.po_header_id,
        versions.po_line_id,
        versions.order_number,
        versions.supplier_id,
        versions.supplier_name,
        versions.procurement_bu,
        versions.currency_code,
        versions.line_number,
        versions.item,
        versions.description,
        versions.category_name,
        versions.quantity,
        versions.unit_source_code,
        units.rec20_code as unit,
        versions.unit_price,
        versions.line_status,
        versions.line_status = 'CANCELED' as is_cancelled,
        versions.last_update_date,
        versions.first_update_date_seen,
        versions._batch_id,
        versions._source_uri,
        versions._source_row,
        versions._row_sha256,
        versions._ingested_at

    from versions
    left join units
        on versions.unit_source_code = units.source_unit_code

)

select * from final
