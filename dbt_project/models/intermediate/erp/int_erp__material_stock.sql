-- SAP stock per material (stg_sap__material_stock, the latest snapshot readings): base unit (Rec 20)
-- and the quantity summed over plants, storage locations and stock types. One row per
-- (tenant_id, material).

with

stock_readings as (

    select * from {{ ref('stg_sap__material_stock') }}

),

final as (

    select
        tenant_id,
        'sap' as source_system,
        material,
        min(base_unit_source_code) as stock_base_unit_source_code,
        min(base_unit) as stock_base_unit,
        {{ to_decimal('sum(stock_quantity)') }} as stock_quantity,
        max(snapshot_at) as stock_snapshot_at

    from stock_readings
    group by tenant_id, material

)

select * from final
