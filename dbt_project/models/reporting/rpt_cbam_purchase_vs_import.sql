-- Purchased vs declared mass of CBAM goods per tenant, supplier, CN code and quarter: what the ERP's
-- purchase lines ordered (fct_purchase_lines, tonnes, deleted lines left out) against what customs
-- declared as imported from the supplier's installations (fct_cbam_imports.net_mass_tonnes; the
-- supplier_installations seed links a supplier to its installations). Purchases are dated by their
-- reference date (order date), imports by their import date: a difference within a quarter can be
-- timing (goods ordered in one quarter arrive in the next) as well as goods bought without a customs
-- declaration of their own. Lines of CBAM goods not in a mass unit count in
-- purchase_lines_without_mass and add no tonnes. Materialized view on Postgres, table elsewhere.

with

purchase_lines as (

    select * from {{ ref('fct_purchase_lines') }}
    where is_cbam_good
        and not is_deleted

),

imports as (

    select * from {{ ref('fct_cbam_imports') }}
    where installation_id is not null

),

supplier_installations as (

    select * from {{ ref('supplier_installations') }}

),

purchased as (

    select
        tenant_id,
        source_system,
        supplier,
        cn_code,
        reference_year as year,
        reference_quarter as quarter,
        count(*) as purchase_line_count,
        sum(case when mass_tonnes is null then 1 else 0 end) as purchase_lines_without_mass,
        sum(mass_tonnes) as purchased_mass_tonnes

    from purchase_lines
    group by tenant_id, source_system, supplier, cn_code, reference_year, reference_quarter

),

declared as (

    select
        supplier_installations.tenant_id,
        supplier_installations.source_system,
        supplier_installations.supplier,
        imports.cn_code,
        imports.import_year as year,
        imports.import_quarter as quarter,
        count(*) as import_line_count,
        count(distinct imports.installation_id) as installation_count,
        sum(imports.net_mass_tonnes) as declared_mass_tonnes

    from imports
    inner join supplier_installations
        on imports.tenant_id = supplier_installations.tenant_id
        and imports.installation_id = supplier_installations.installation_id
    group by
        supplier_installations.tenant_id,
        supplier_installations.source_system,
        supplier_installations.supplier,
        imports.cn_code,
        imports.import_year,
        imports.import_quarter

),

compared as (

    select
        coalesce(purchased.tenant_id, declared.tenant_id) as tenant_id,
        coalesce(purchased.source_system, declared.source_system) as source_system,
        coalesce(purchased.supplier, declared.supplier) as supplier,
        coalesce(purchased.cn_code, declared.cn_code) as cn_code,
        coalesce(purchased.year, declared.year) as year,
        coalesce(purchased.quarter, declared.quarter) as quarter,
        coalesce(purchased.purchase_line_count, 0) as purchase_line_count,
        coalesce(purchased.purchase_lines_without_mass, 0) as purchase_lines_without_mass,
        coalesce(purchased.purchased_mass_tonnes, 0) as purchased_mass_tonnes,
        coalesce(declared.import_line_count, 0) as import_line_count,
        coalesce(declared.installation_count, 0) as installation_count,
        coalesce(declared.declared_mass_tonnes, 0) as declared_mass_tonnes

    from purchased
    full outer join declared
        on purchased.tenant_id = declared.tenant_id
        and purchased.source_system = declared.source_system
        and purchased.supplier = declared.supplier
        and purchased.cn_code = declared.cn_code
        and purchased.year = declared.year
        and purchased.quarter = declared.quarter

),

final as (

    select
        tenant_id,
        source_system,
        {{ surrogate_key(['tenant_id', 'source_system', 'supplier']) }} as supplier_key,
        supplier,
        cn_code,
        year,
        quarter,
        cast(purchase_line_count as bigint) as purchase_line_count,
        cast(purchase_lines_without_mass as bigint) as purchase_lines_without_mass,
        {{ to_decimal('purchased_mass_tonnes') }} as purchased_mass_tonnes,
        cast(import_line_count as bigint) as import_line_count,
        cast(installation_count as bigint) as installation_count,
        {{ to_decimal('declared_mass_tonnes') }} as declared_mass_tonnes,
        {{ to_decimal('purchased_mass_tonnes - declared_mass_tonnes') }} as mass_difference_tonnes

    from compared

)

select * from final
