-- One row per material of a tenant's ERP (tenant_id, source_system, material): every material that a
-- purchase line, the SAP stock snapshot or the material_cn_codes seed names, with
-- - category and description of its purchase lines (int_erp__material_purchase_attributes);
-- - CN code and the CBAM good it falls under (int_erp__material_cbam_goods);
-- - SAP stock: base unit and quantity summed over the latest readings (int_erp__material_stock).

with

purchase_attributes as (

    select * from {{ ref('int_erp__material_purchase_attributes') }}

),

stock as (

    select * from {{ ref('int_erp__material_stock') }}

),

material_cbam_goods as (

    select * from {{ ref('int_erp__material_cbam_goods') }}

),

materials as (

    select tenant_id, source_system, material from purchase_attributes
    union
    select tenant_id, source_system, material from stock
    union
    select tenant_id, source_system, material from material_cbam_goods

),

final as (

    select
        {{ surrogate_key(['materials.tenant_id', 'materials.source_system', 'materials.material']) }}
            as material_key,
        materials.tenant_id,
        materials.source_system,
        materials.material,
        purchase_attributes.description,
        purchase_attributes.category,
        material_cbam_goods.cn_code,
        material_cbam_goods.cbam_good_cn_code,
        material_cbam_goods.cbam_sector,
        material_cbam_goods.cbam_good_cn_code is not null as is_cbam_good,
        stock.stock_base_unit_source_code,
        stock.stock_base_unit,
        stock.stock_quantity,
        stock.stock_snapshot_at

    from materials
    left join purchase_attributes
        on materials.tenant_id = purchase_attributes.tenant_id
        and materials.source_system = purchase_attributes.source_system
        and materials.material = purchase_attributes.material
    left join material_cbam_goods
        on materials.tenant_id = material_cbam_goods.tenant_id
        and materials.source_system = material_cbam_goods.source_system
        and materials.material = material_cbam_goods.material
    left join stock
        on materials.tenant_id = stock.tenant_id
        and materials.source_system = stock.source_system
        and materials.material = stock.material

)

select * from final
