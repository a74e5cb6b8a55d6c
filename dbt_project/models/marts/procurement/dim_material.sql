-- Materials of the tenants' ERPs (SAP material, Oracle item) with their CN code and CBAM good
-- (dim_cbam_good, null when none) and SAP stock: int_erp__materials.

with

materials as (

    select * from {{ ref('int_erp__materials') }}

),

final as (

    select
        material_key,
        tenant_id,
        source_system,
        material,
        description,
        category,
        cn_code,
        cbam_good_cn_code,
        cbam_sector,
        is_cbam_good,
        stock_base_unit_source_code,
        stock_base_unit,
        stock_quantity,
        stock_snapshot_at

    from materials

)

select * from final
