-- ESRS E1-6 Gross Scopes 1, 2, 3 and total GHG emissions (Delegated Regulation (EU) 2023/2772,
-- ESRS E1 §44-55), per tenant and reporting year, tCO2e, from fct_ghg_emissions:
--   scope_1_tco2e (§48 a), scope_2_location_tco2e / scope_2_market_tco2e (§49 a, b),
--   scope_3_tco2e and scope_3_cat_1_tco2e .. scope_3_cat_15_tco2e (§51, GHG Protocol Scope 3
--   categories), total_location_tco2e = scope 1 + scope 2 location-based + scope 3 and
--   total_market_tco2e = scope 1 + scope 2 market-based + scope 3 (§52), and the GHG intensity per
--   net revenue (§53): total / net_revenue (net_revenue in net_revenue_currency units, from
--   fct_net_revenue with fiscal_year = reporting_year; NULL intensity without revenue).
-- A category without activity data in the warehouse is 0 (scope_3_tco2e is the sum of the 15).
-- emission_rows_without_factor: activity rows whose factor was not found (no emissions counted):
-- not 0 means the figures are incomplete.
-- Materialized view on Postgres, table elsewhere.

with

emissions as (

    select * from {{ ref('fct_ghg_emissions') }}

),

revenue as (

    select * from {{ ref('fct_net_revenue') }}

),

aggregated as (

    select
        tenant_id,
        reporting_year,
        sum(case when scope = 1 then emissions_tco2e else 0 end) as scope_1_tco2e,
        sum(case when scope = 2 and method = 'location_based' then emissions_tco2e else 0 end)
            as scope_2_location_tco2e,
        sum(case when scope = 2 and method = 'market_based' then emissions_tco2e else 0 end)
            as scope_2_market_tco2e,
        {%- for category in range(1, 16) %}
        sum(case when scope = 3 and scope_3_category = {{ category }} then emissions_tco2e else 0 end)
            as scope_3_cat_{{ category }}_tco2e,
        {%- endfor %}
        sum(case when factor_status = 'missing' then 1 else 0 end) as emission_rows_without_factor

    from emissions
    group by tenant_id, reporting_year

),

tenant_years as (

    select tenant_id, reporting_year from aggregated
    union
    select tenant_id, fiscal_year as reporting_year from revenue

),

totals as (

    select
        tenant_years.tenant_id,
        tenant_years.reporting_year,
        coalesce(aggregated.scope_1_tco2e, 0) as scope_1_tco2e,
        coalesce(aggregated.scope_2_location_tco2e, 0) as scope_2_location_tco2e,
        coalesce(aggregated.scope_2_market_tco2e, 0) as scope_2_market_tco2e,
        (
            {%- for category in range(1, 16) %}
            coalesce(aggregated.scope_3_cat_{{ category }}_tco2e, 0) {%- if not loop.last %} +{% endif %}
            {%- endfor %}
        ) as scope_3_tco2e,
        {%- for category in range(1, 16) %}
        coalesce(aggregated.scope_3_cat_{{ category }}_tco2e, 0) as scope_3_cat_{{ category }}_tco2e,
        {%- endfor %}
        revenue.net_revenue,
        revenue.currency as net_revenue_currency,
        coalesce(aggregated.emission_rows_without_factor, 0) as emission_rows_without_factor

    from tenant_years
    left join aggregated
        on tenant_years.tenant_id = aggregated.tenant_id
        and tenant_years.reporting_year = aggregated.reporting_year
    left join revenue
        on tenant_years.tenant_id = revenue.tenant_id
        and tenant_years.reporting_year = revenue.fiscal_year

),

final as (

    select
        tenant_id,
        reporting_year,
        {{ to_decimal('scope_1_tco2e') }} as scope_1_tco2e,
        {{ to_decimal('scope_2_location_tco2e') }} as scope_2_location_tco2e,
        {{ to_decimal('scope_2_market_tco2e') }} as scope_2_market_tco2e,
        {{ to_decimal('scope_3_tco2e') }} as scope_3_tco2e,
        {%- for category in range(1, 16) %}
        {{ to_decimal('scope_3_cat_' ~ category ~ '_tco2e') }} as scope_3_cat_{{ category }}_tco2e,
        {%- endfor %}
        {{ to_decimal('scope_1_tco2e + scope_2_location_tco2e + scope_3_tco2e') }} as total_location_tco2e,
        {{ to_decimal('scope_1_tco2e + scope_2_market_tco2e + scope_3_tco2e') }} as total_market_tco2e,
        net_revenue,
        net_revenue_currency,
        {{ decimal_divide('scope_1_tco2e + scope_2_location_tco2e + scope_3_tco2e', 'net_revenue') }}
            as intensity_location_tco2e_per_net_revenue,
        {{ decimal_divide('scope_1_tco2e + scope_2_market_tco2e + scope_3_tco2e', 'net_revenue') }}
            as intensity_market_tco2e_per_net_revenue,
        cast(emission_rows_without_factor as bigint) as emission_rows_without_factor

    from totals

)

select * from final
