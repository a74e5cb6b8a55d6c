-- The spend of each purchase line (int_erp__purchase_line_spend_categories) in the EEIO factor's
-- currency and price year (GHG Protocol Scope 3 Technical Guidance, chapter 1):
-- 1. Spend in the factor currency (USD): a USD line as is; otherwise the EUR amount x the ECB USD rate
--    (USD per EUR) of the reference month, falling back to the latest earlier month (fx_rates seed).
-- 2. Price year: x CPI-U(price year) / CPI-U(purchase year) (us_cpi_u seed), falling back to the
--    latest earlier year with a figure (price_index_year records the year used).

with

categorised as (

    select * from {{ ref('int_erp__purchase_line_spend_categories') }}

),

fx_rates as (

    select * from {{ ref('fx_rates') }}

),

price_index as (

    select * from {{ ref('us_cpi_u') }}

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

final as (

    select
        converted.*,
        {{ decimal_divide(
            to_decimal('spend_factor_currency * price_index_factor_year'),
            'price_index_purchase_year'
        ) }} as spend_factor_price_year

    from converted

)

select * from final
