-- Spend-based emissions of purchased goods and services, GHG Protocol Corporate Value Chain (Scope 3)
-- Standard, category 1, spend-based method (Technical Guidance for Calculating Scope 3 Emissions,
-- chapter 1): emissions = spend in the factors' currency and price year x EEIO factor. One row per
-- purchase line of int_erp__purchase_lines. Category and factor:
-- int_erp__purchase_line_spend_categories; spend in the factor currency and price year:
-- int_erp__purchase_line_spend. Only category 1 spend gets category 1 emissions (capital goods,
-- freight … are other categories); deleted lines get none. spend_emission_status says why a line
-- has none: deleted / no_category (no key of the line maps) / not_category_1 / no_factor (the
-- category's NAICS code has no factor in the cited EEIO seed: never guessed) / no_fx_rate /
-- no_price_index; else eeio_spend.

with

priced as (

    select * from {{ ref('int_erp__purchase_line_spend') }}

),

statuses as (

    select
        priced.*,
        case
            when is_deleted then 'deleted'
            when naics_code is null then 'no_category'
            when scope3_category <> 1 then 'not_category_1'
            when eeio_factor_id is null then 'no_factor'
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
        net_amount_eur,
        supplier_naics_code,
        mapped_by,
        spend_category,
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
