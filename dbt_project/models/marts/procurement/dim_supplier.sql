-- Suppliers of the tenants' ERPs: every supplier a purchase line names or the supplier_installations
-- seed links to an installation. supplier_name: the latest one on a purchase line (Oracle; SAP's item
-- extract carries no name). installation_count: producing installations linked to the supplier.

with

purchase_lines as (

    select * from {{ ref('int_erp__purchase_lines') }}

),

supplier_installations as (

    select * from {{ ref('supplier_installations') }}

),

suppliers as (

    select tenant_id, source_system, supplier from purchase_lines
    union
    select tenant_id, source_system, supplier from supplier_installations

),

latest_names as (

    select
        tenant_id,
        source_system,
        supplier,
        supplier_name,
        row_number() over (
            partition by tenant_id, source_system, supplier
            order by changed_at desc, purchase_line_key
        ) as recency

    from purchase_lines
    where supplier_name is not null

),

purchase_spans as (

    select
        tenant_id,
        source_system,
        supplier,
        min(reference_date) as first_purchase_date,
        max(reference_date) as last_purchase_date,
        count(*) as purchase_line_count

    from purchase_lines
    group by tenant_id, source_system, supplier

),

installations as (

    select
        tenant_id,
        source_system,
        supplier,
        count(*) as installation_count

    from supplier_installations
    group by tenant_id, source_system, supplier

),

final as (

    select
        {{ surrogate_key(['suppliers.tenant_id', 'suppliers.source_system', 'suppliers.supplier']) }}
            as supplier_key,
        suppliers.tenant_id,
        suppliers.source_system,
        suppliers.supplier,
        latest_names.supplier_name,
        purchase_spans.first_purchase_date,
        purchase_spans.last_purchase_date,
        cast(coalesce(purchase_spans.purchase_line_count, 0) as bigint) as purchase_line_count,
        cast(coalesce(installations.installation_count, 0) as bigint) as installation_count

    from suppliers
    left join latest_names
        on suppliers.tenant_id = latest_names.tenant_id
        and suppliers.source_system = latest_names.source_system
        and suppliers.supplier = latest_names.supplier
        and latest_names.recency = 1
    left join purchase_spans
        on suppliers.tenant_id = purchase_spans.tenant_id
        and suppliers.source_system = purchase_spans.source_system
        and suppliers.supplier = purchase_spans.supplier
    left join installations
        on suppliers.tenant_id = installations.tenant_id
        and suppliers.source_system = installations.source_system
        and suppliers.supplier = installations.supplier

)

select * from final
