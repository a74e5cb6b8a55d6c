-- SAP S/4HANA material stock (API_MATERIAL_STOCK_SRV): a snapshot read whole on every sync. One row per
-- (tenant_id, material, plant, storage_location, inventory_stock_type): the latest load of the position
-- (_ingested_at, then _source_row, then _batch_id); snapshot_at says when it was read. A position
-- that a later snapshot no longer lists keeps its last reading (raw does not mark the end of a
-- snapshot). Base unit as sent and as UN/ECE Rec 20 code (unit_conversions seed).

with

source as (

    select * from {{ source('raw', 'sap__material_stock') }}

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
        trim(source.material) as material,
        trim(source.plant) as plant,
        trim(source.storage_location) as storage_location,
        trim(source.inventory_stock_type) as inventory_stock_type,
        upper(trim(source.material_base_unit)) as base_unit_source_code,
        {{ to_decimal('source.matl_wrhs_stk_qty_in_matl_base_unit') }} as stock_quantity,
        {{ provenance_columns('source') }}

    from source

),

versions as (

    {{ latest_per_key(
        'renamed',
        partition_by=['tenant_id', 'material', 'plant', 'storage_location', 'inventory_stock_type'],
                rank_column='version_recency'
    ) }}

),

final as (

    select
        {{ surrogate_key([
            'versions.tenant_id', 'versions.material', 'versions.plant',
            'versions.storage_location', 'versions.inventory_stock_type'
        ]) }} as stock_position_key,
        versions.tenant_id,
        versions.material,
        versions.plant,
        versions.storage_location,
        versions.inventory_stock_type,
        versions.base_unit_source_code,
        units.rec20_code as base_unit,
        versions.stock_quantity,
        versions._ingested_at as snapshot_at,
        versions._batch_id,
        versions._source_uri,
        versions._source_row,
        versions._row_sha256,
        versions._ingested_at

    from versions
    left join units
        on versions.base_unit_source_code = units.source_unit_code

)

select * from final
