-- The spend category and EEIO factor of each purchase line of int_erp__purchase_lines (GHG Protocol
-- Scope 3 Standard, category 1, spend-based method):
-- 1. Category: the line's purchasing category (SAP material group, Oracle category name) -> 2017 NAICS
--    code and Scope 3 category (spend_categories seed).
-- 2. Factor: EPA Supply Chain GHG Emission Factors v1.3.0 (eeio_factors_usepa seed), kg CO2e per
--    2022 USD at purchaser price, with margins; eeio_factor_id names the factor row used.
-- NULL where the category is not mapped. One row per purchase line.

with

purchase_lines as (

    select * from {{ ref('int_erp__purchase_lines') }}

),

spend_categories as (

    select * from {{ ref('spend_categories') }}

),

factors as (

    select
        {{ surrogate_key(['publication', 'naics_code']) }} as eeio_factor_id,
        eeio_factors_usepa.*

    from {{ ref('eeio_factors_usepa') }} as eeio_factors_usepa

),

final as (

    select
        purchase_lines.purchase_line_key,
        purchase_lines.tenant_id,
        purchase_lines.reference_date,
        purchase_lines.reference_year,
        cast({{ dbt.date_trunc('month', 'purchase_lines.reference_date') }} as date) as reference_month,
        purchase_lines.currency,
        purchase_lines.net_amount,
        purchase_lines.net_amount_eur,
        purchase_lines.is_deleted,
        spend_categories.naics_code,
        spend_categories.scope3_category,
        factors.eeio_factor_id,
        factors.publication as eeio_publication,
        factors.currency as factor_currency,
        factors.price_year as factor_price_year,
        factors.sef_with_margins

    from purchase_lines
    left join spend_categories
        on purchase_lines.tenant_id = spend_categories.tenant_id
        and purchase_lines.source_system = spend_categories.source_system
        and purchase_lines.category = spend_categories.category
    left join factors
        on spend_categories.naics_code = factors.naics_code

)

select * from final
