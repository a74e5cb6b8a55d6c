-- The spend category and EEIO factor of each purchase line of int_erp__purchase_lines (GHG Protocol
-- Scope 3 Standard, category 1, spend-based method):
-- 1. Category: the row of spend_category_map that the line matches on the first key that maps, in
--    this order: material group (SAP material group, Oracle purchasing category), G/L account, the
--    supplier's industry code (supplier_industry_codes, 2017 NAICS). mapped_by names the key used;
--    'unmapped' when none maps.
-- 2. Factor: EPA Supply Chain GHG Emission Factors v1.3.0 (eeio_factors_usepa seed), kg CO2e per
--    2022 USD at purchaser price, with margins, of the category's NAICS code; eeio_factor_id names the
--    factor row used, NULL where the seed has no factor for the code. One row per purchase line.

with

purchase_lines as (

    select * from {{ ref('int_erp__purchase_lines') }}

),

category_map as (

    select * from {{ ref('spend_category_map') }}

),

supplier_industries as (

    select * from {{ ref('supplier_industry_codes') }}

),

factors as (

    select
        {{ surrogate_key(['publication', 'naics_code']) }} as eeio_factor_id,
        eeio_factors_usepa.*

    from {{ ref('eeio_factors_usepa') }} as eeio_factors_usepa

),

keyed as (

    select
        purchase_lines.*,
        supplier_industries.naics_code as supplier_naics_code

    from purchase_lines
    left join supplier_industries
        on purchase_lines.tenant_id = supplier_industries.tenant_id
        and purchase_lines.source_system = supplier_industries.source_system
        and purchase_lines.supplier = supplier_industries.supplier

),

-- every map row a line matches on the key the row names, ranked by the keys' precedence
matches as (

    select
        keyed.purchase_line_key,
        category_map.match_on,
        category_map.spend_category,
        category_map.naics_code,
        category_map.scope3_category,
        row_number() over (
            partition by keyed.purchase_line_key
            order by case category_map.match_on
                when 'material_group' then 1
                when 'gl_account' then 2
                when 'supplier_industry' then 3
            end
        ) as precedence

    from keyed
    inner join category_map
        on keyed.tenant_id = category_map.tenant_id
        and keyed.source_system = category_map.source_system
        and category_map.match_value = case category_map.match_on
            when 'material_group' then keyed.category
            when 'gl_account' then keyed.gl_account
            when 'supplier_industry' then keyed.supplier_naics_code
        end

),

final as (

    select
        keyed.purchase_line_key,
        keyed.tenant_id,
        keyed.reference_date,
        keyed.reference_year,
        cast({{ dbt.date_trunc('month', 'keyed.reference_date') }} as date) as reference_month,
        keyed.currency,
        keyed.net_amount,
        keyed.net_amount_eur,
        keyed.is_deleted,
        keyed.supplier_naics_code,
        coalesce(matches.match_on, 'unmapped') as mapped_by,
        matches.spend_category,
        matches.naics_code,
        matches.scope3_category,
        factors.eeio_factor_id,
        factors.publication as eeio_publication,
        factors.currency as factor_currency,
        factors.price_year as factor_price_year,
        factors.sef_with_margins

    from keyed
    left join matches
        on keyed.purchase_line_key = matches.purchase_line_key
        and matches.precedence = 1
    left join factors
        on matches.naics_code = factors.naics_code

)

select * from final
