-- SAP S/4HANA purchase order items (API_PURCHASEORDER_PROCESS_SRV): renamed, cast, codes normalised,
-- and deduplicated. Raw holds every page ever loaded: an overlapping sync window re-reads an item, a
-- repeated page duplicates it. One row per (tenant_id, purchase_order, purchase_order_item): the
-- latest version by last_change_datetime, then _ingested_at, then _source_row (then _batch_id, so
-- that the choice is deterministic). A deleted item (deletion code 'L') is kept, flagged is_deleted.
-- The unit as sent is kept (unit_source_code) and mapped to its UN/ECE Rec 20 code (unit) through
-- the unit_conversions seed; an unknown code leaves unit null (the intermediate test fails on it).

with

source as (

    select * from {{ source('raw', 'sap__purchase_order_items') }}

),

units as (

    select
        source_unit_code,
        rec20_code

    from {{ ref('unit_conversions') }}
    where source_system = 'sap'

),

renamed as (

    select
        source.tenant_id,
        trim(source.purchase_order) as purchase_order,
        trim(source.purchase_order_item) as purchase_order_item,
        trim(source.purchase_order_type) as purchase_order_type,
        source.company_code,
        trim(source.purchasing_organization) as purchasing_organization,
        trim(source.supplier) as supplier,
        cast(source.purchase_order_date as date) as purchase_order_date,
        upper(trim(source.document_currency)) as document_currency,
        nullif(trim(source.material), '') as material,
        nullif(trim(source.material_group), '') as material_group,
        nullif(trim(source.gl_account), '') as gl_account,
        nullif(trim(source.plant), '') as plant,
        {{ to_decimal('source.order_quantity') }} as order_quantity,
        upper(trim(source.purchase_order_quantity_unit)) as unit_source_code,
        {{ to_decimal('source.net_price_amount') }} as net_price_amount,
        {{ to_decimal('source.net_price_quantity') }} as net_price_quantity,
        nullif(upper(trim(source.purchasing_document_deletion_code)), '') as deletion_code,
        cast(source.last_change_datetime as {{ dbt.type_timestamp() }}) as last_change_datetime,
        {{ provenance_columns('source') }}

    from source

),

versions as (

    {{ latest_per_key(
        'renamed',
        partition_by=['tenant_id', 'purchase_order', 'purchase_order_item'],
        prefer=['last_change_datetime desc'],
        rank_column='version_recency'
    ) }}

),

final as (

    select
        {{ surrogate_key(['versions.tenant_id', 'versions.purchase_order', 'versions.purchase_order_item']) }}
            as purchase_order_item_key,
        versions.tenant_id,
        versions.purchase_order,
        versions.purchase_order_item,
        versions.purchase_order_type,
        versions.company_code,
        versions.purchasing_organization,
        versions.supplier,
        versions.purchase_order_date,
        versions.document_currency,
        versions.material,
        versions.material_group,
        versions.gl_account,
        versions.plant,
        versions.order_quantity,
        versions.unit_source_code,
        units.rec20_code as unit,
        versions.net_price_amount,
        versions.net_price_quantity,
        versions.deletion_code,
        coalesce(versions.deletion_code = 'L', false) as is_deleted,
        versions.last_change_datetime,
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
