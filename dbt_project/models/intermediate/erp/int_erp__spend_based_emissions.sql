-- Spend-based emissions of purchased goods and services, GHG Protocol Corporate Value Chain (Scope 3)
-- Standard, category 1, spend-based method (Technical Guidance for Calculating Scope 3 Emissions,
-- chapter 1): emissions = spend in the factors' currency and price year x EEIO factor. One row per
-- purchase line of int_erp__purchase_lines.
-- 1. Category: the line's purchasing category (SAP material group, Oracle category name) -> 2017 NAICS
--    code and Scope 3 category (spend_categories seed); only category 1 spend gets category 1
--    emissions (capital goods, freight … are other categories).
-- 2. Factor: EPA Supply Chain GHG Emission Factors v1.3.0 (eeio_factors_usepa seed), kg CO2e per
--    2022 USD at purchaser price, with margins; eeio_factor_id names the factor row used.
-- 3. Spend in the factor currency (USD): a USD line as is; otherwise the EUR amount x the ECB USD rate
--    (USD per EUR) of the reference month, falling back to the latest earlier month (fx_rates seed).
-- 4. Price year: x CPI-U(price year) / CPI-U(purchase year) (us_cpi_u seed), falling back to the
--    latest earlier year with a figure (price_index_year records the year used).
-- 5. Deleted lines get no emissions. spend_emission_status says why a line has none:
--    deleted / no_category / not_category_1 / no_fx_rate / no_price_index; else eeio_spend.

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

fx_rates as (

    select * from {{ ref('fx_rates') }}

),

price_index as (

    select * from {{ ref('us_cpi_u') }}

),

categorised as (

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

),

-- the factor currency's rate (units per EUR) of the line's month, else the latest earlier month
fx_candidates as (

    select
        categorised.purchase_line_key,
        fx_rates.rate_month,
        fx_rates.units_per_eur,
        row_number() over (
            partition by categorised.purchase_line_key
            order by fx_rates.rate_month desc
        ) as rate_recency

    from categorised
    inner join fx_rates
        on categorised.factor_currency = fx_rates.currency
        and fx_rates.rate_month <= categorised.reference_month

),

-- the price index of the purchase year, else of the latest earlier year
purchase_year_index as (

    select
        categorised.purchase_line_key,
        price_index.year as price_index_year,
        price_index.cpi_u_annual_average,
        row_number() over (
            partition by categorised.purchase_line_key
            order by price_index.year desc
        ) as index_recency

    from categorised
    inner join price_index
        on price_index.year <= categorised.reference_year

),

converted as (

    select
        categorised.*,
        case
            when categorised.currency <> categorised.factor_currency then fx_candidates.rate_month
        end as factor_fx_rate_month,
        {{ to_decimal(
            'case when categorised.currency <> categorised.factor_currency'
            ~ ' then fx_candidates.units_per_eur end'
        ) }} as factor_currency_per_eur,
        {{ to_decimal(
            'case when categorised.currency = categorised.factor_currency then categorised.net_amount'
            ~ ' when categorised.net_amount_eur is not null and fx_candidates.units_per_eur is not null'
            ~ ' then categorised.net_amount_eur * fx_candidates.units_per_eur end'
        ) }} as spend_factor_currency,
        purchase_year_index.price_index_year,
        purchase_year_index.cpi_u_annual_average as price_index_purchase_year,
        base_year_index.cpi_u_annual_average as price_index_factor_year

    from categorised
    left join fx_candidates
        on categorised.purchase_line_key = fx_candidates.purchase_line_key
        and fx_candidates.rate_recency = 1
    left join purchase_year_index
        on categorised.purchase_line_key = purchase_year_index.purchase_line_key
        and purchase_year_index.index_recency = 1
    left join price_index as base_year_index
        on categorised.factor_price_year = base_year_index.year

),

priced as (

    select
        converted.*,
        {{ decimal_divide(
            to_decimal('spend_factor_currency * price_index_factor_year'),
            'price_index_purchase_year'
        ) }} as spend_factor_price_year

    from converted

),

statuses as (

    select
        priced.*,
        case
            when is_deleted then 'deleted'
            when naics_code is null then 'no_category'
            when scope3_category <> 1 then 'not_category_1'
            when spend_factor_currency is null then 'no_fx_rate'
            when spend_factor_price_year is null then 'no_price_index'
            else 'eeio_spend'
        end as spend_emission_status

    from priced

),

final as (

    select
        purchase_line_key,
        tenant_id,
        naics_code,
        scope3_category,
        eeio_factor_id,
        eeio_publication,
        factor_currency,
        factor_price_year,
        sef_with_margins as eeio_kgco2e_per_currency_unit,
        factor_fx_rate_month,
        factor_currency_per_eur,
        spend_factor_currency,
        price_index_year,
        price_index_purchase_year,
        price_index_factor_year,
        spend_factor_price_year,
        spend_emission_status,
        {{ to_decimal(
            "case when spend_emission_status = 'eeio_spend' then "
            ~ to_decimal('spend_factor_price_year * sef_with_margins') ~ " end"
        ) }} as scope3_cat1_kgco2e,
        {{ to_decimal(
            "case when spend_emission_status = 'eeio_spend' then "
            ~ to_decimal('spend_factor_price_year * sef_with_margins') ~ " * 0.001 end"
        ) }} as scope3_cat1_tco2e

    from statuses

)

select * from final
