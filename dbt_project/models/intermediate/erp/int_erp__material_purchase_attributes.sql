-- The purchasing attributes of each material that a purchase line names (SAP S/4HANA material,
-- Oracle Fusion item), one row per (tenant_id, source_system, material): category and description,
-- the latest non-null ones of its purchase lines (SAP material group; Oracle category name and line
-- description). Lines without a material (text items) are left out.

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

materials as (

    select distinct tenant_id, source_system, material from line_materials

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

final as (

    select
        materials.tenant_id,
        materials.source_system,
        materials.material,
        latest_categories.category,
        latest_descriptions.description

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

)

select * from final
