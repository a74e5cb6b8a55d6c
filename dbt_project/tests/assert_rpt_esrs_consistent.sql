-- ESRS E1 reports add up: E1-6 scope 3 = sum of its 15 categories and totals = scope 1 + scope 2
-- (location / market) + scope 3; E1-5 total = fossil + nuclear + renewable, fossil = the five §38
-- columns, renewable = the three §37(c) columns, shares add up to exactly 1.
with

ghg as (

    select * from {{ ref('rpt_esrs_e1_6_ghg') }}

),

energy as (

    select * from {{ ref('rpt_esrs_e1_5_energy') }}

)

select tenant_id, reporting_year, 'e1_6 scope 3 <> sum of categories' as problem
from ghg
where scope_3_tco2e <> {% for category in range(1, 16) %}scope_3_cat_{{ category }}_tco2e{% if not loop.last %} + {% endif %}{% endfor %}

union all

select tenant_id, reporting_year, 'e1_6 totals' as problem
from ghg
where total_location_tco2e <> scope_1_tco2e + scope_2_location_tco2e + scope_3_tco2e
    or total_market_tco2e <> scope_1_tco2e + scope_2_market_tco2e + scope_3_tco2e

union all

select tenant_id, reporting_year, 'e1_5 totals' as problem
from energy
where total_energy_mwh <> fossil_mwh + nuclear_mwh + renewable_mwh
    or fossil_mwh <> fossil_coal_and_coal_products_mwh + fossil_crude_oil_and_petroleum_products_mwh
        + fossil_natural_gas_mwh + fossil_other_sources_mwh + fossil_purchased_electricity_heat_steam_cooling_mwh
    or renewable_mwh <> renewable_fuels_mwh + renewable_purchased_electricity_heat_steam_cooling_mwh
        + renewable_self_generated_non_fuel_mwh
    or (total_energy_mwh <> 0 and share_fossil + share_nuclear + share_renewable <> 1)
