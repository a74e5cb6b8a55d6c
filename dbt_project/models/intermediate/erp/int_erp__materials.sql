-- One row per material of a tenant's ERP (tenant_id, source_system, material): every material that a
-- purchase line, the SAP stock snapshot or the material_cn_codes seed names. Per material:
-- - category and description: the latest non-null ones of its purchase lines (SAP material group;
--   Oracle category name and line description);
-- - CN code (material_cn_codes seed) and the CBAM good it falls under: the LONGEST code of
--   int_cbam__goods_categorised (dim_cbam_good) that the CN code starts with (72083900 -> 7208), as for
--   customs import lines in int_cbam__embedded_emissions;
-- - SAP stock: base unit (Rec 20) and the quantity summed over plants, storage locations and stock
--   types of the latest snapshot readings.

with

sap_items as (

    select
        tenant_id,
        'sap' as source_system,
        material,
        material_group as category,
        cast(null as {{ dbt.type_string() }}) as description,
        last_change_datetime as changed_at

    from {{ ref('stg_sap__purchase_order_items') }}
    where material is not null

),

oracle_lines as (

    select
        tenant_id,
        'oracle' as source_system,
        item as material,
        category_name as category,
        description,
        last_update_date as changed_at

    from {{ ref('stg_oracle__purchase_order_lines') }}
    where item is not null

),

line_materials as (

    select * from sap_items
    union all
    select * from oracle_lines

),

stock as (

    select
        tenant_id,
        'sap' as source_system,
        material,
        min(base_unit_source_code) as stock_base_unit_source_code,
        min(base_unit) as stock_base_unit,
        {{ to_decimal('sum(stock_quantity)') }} as stock_quantity,
        max(snapshot_at) as stock_snapshot_at

    from {{ ref('stg_sap__material_stock') }}
    group by tenant_id, material

),

material_cn_codes as (

    select * from {{ ref('material_cn_codes') }}

),

cbam_goods as (

    select * from {{ ref('int_cbam__goods_categorised') }}
    where is_cbam_good

),

materials as (

    select tenant_id, source_system, material from line_materials
    union
    select tenant_id, source_system, material from stock
    union
    select tenant_id, source_system, material from material_cn_codes

),

latest_categories as (

    select
        tenant_id,
        source_system,
        material,
        category,
        row_number() over (
            partition by tenant_id, source_system, material
            order by changed_at desc, category
        ) as recency

    from line_materials
    where category is not null

),

latest_descriptions as (

    select
        tenant_id,
        source_system,
        material,
        description,
        row_number() over (
            partition by tenant_id, source_system, material
            order by changed_at desc, description
        ) as recency

    from line_materials
    where description is not null

),

prefix_lengths as (

    select 8 as prefix_length
    union all select 7
    union all select 6
    union all select 5
    union all select 4

),

good_matches as (

    select
        material_cn_codes.tenant_id,
        material_cn_codes.source_system,
        material_cn_codes.material,
        cbam_goods.cn_code as cbam_good_cn_code,
        cbam_goods.cbam_sector,
        row_number() over (
            partition by
                material_cn_codes.tenant_id, material_cn_codes.source_system, material_cn_codes.material
            order by prefix_lengths.prefix_length desc
        ) as match_rank

    from material_cn_codes
    cross join prefix_lengths
    inner join cbam_goods
        on left(material_cn_codes.cn_code, prefix_lengths.prefix_length) = cbam_goods.cn_code

),

final as (

    select
        {{ surrogate_key(['materials.tenant_id', 'materials.source_system', 'materials.material']) }}
            as material_key,
        materials.tenant_id,
        materials.source_system,
        materials.material,
        latest_descriptions.description,
        latest_categories.category,
        material_cn_codes.cn_code,
        good_matches.cbam_good_cn_code,
        good_matches.cbam_sector,
        good_matches.cbam_good_cn_code is not null as is_cbam_good,
        stock.stock_base_unit_source_code,
        stock.stock_base_unit,
        stock.stock_quantity,
        stock.stock_snapshot_at

    from materials
    left join latest_descriptions
        on materials.tenant_id = latest_descriptions.tenant_id
        and materials.source_system = latest_descriptions.source_system
        and materials.material = latest_descriptions.material
        and latest_descriptions.recency = 1
    left join latest_categories
        on materials.tenant_id = latest_categories.tenant_id
        and materials.source_system = latest_categories.source_system
        and materials.material = latest_categories.material
        and latest_categories.recency = 1
    left join material_cn_codes
        on materials.tenant_id = material_cn_codes.tenant_id
        and materials.source_system = material_cn_codes.source_system
        and materials.material = material_cn_codes.material
    left join good_matches
        on materials.tenant_id = good_matches.tenant_id
        and materials.source_system = good_matches.source_system
        and materials.material = good_matches.material
        and good_matches.match_rank = 1
    left join stock
        on materials.tenant_id = stock.tenant_id
        and materials.source_system = stock.source_system
        and materials.material = stock.material

)

select * from final
