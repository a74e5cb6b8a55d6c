-- ESRS E1-5 Energy consumption and mix (Delegated Regulation (EU) 2023/2772, ESRS E1 §35-38), per
-- tenant and reporting year, MWh, from fct_esrs_energy_consumption:
--   §37(a) fossil_mwh, (b) nuclear_mwh, (c) renewable_mwh with (c)(i) renewable_fuels_mwh, (c)(ii)
--   renewable_purchased_electricity_heat_steam_cooling_mwh, (c)(iii) renewable_self_generated_non_fuel_mwh;
--   §38(a)-(e) the fossil part by coal and coal products, crude oil and petroleum products, natural
--   gas, other fossil sources, purchased electricity / heat / steam / cooling from fossil sources.
-- total_energy_mwh = fossil_mwh + nuclear_mwh + renewable_mwh (each MWh in exactly one class), and
-- fossil_mwh = the five §38 columns. Shares are fractions of total_energy_mwh (0..1; NULL when the
-- total is 0), exact decimals at 12 places: share_fossil and share_nuclear are quotients, share_renewable
-- is 1 - share_fossil - share_nuclear so that the three always add up to exactly 1.
-- Fuel energy is on the net calorific value (int_ghg__fuel_energy_content). Purchased electricity
-- not covered by renewable instruments and without a residual mix counts as fossil:
-- purchased_energy_assumed_fossil_mwh shows how much (an assumption to disclose).
-- Materialized view on Postgres, table elsewhere (one config in dbt_project.yml).

with

energy as (

    select * from {{ ref('fct_esrs_energy_consumption') }}

),

aggregated as (

    select
        tenant_id,
        reporting_year,
        sum(mwh) as total_energy_mwh,
        sum(case when esrs_source = 'fossil' then mwh else 0 end) as fossil_mwh,
        sum(case when esrs_source = 'nuclear' then mwh else 0 end) as nuclear_mwh,
        sum(case when esrs_source = 'renewable' then mwh else 0 end) as renewable_mwh,
        sum(case when esrs_source = 'fossil' and esrs_category = 'coal_and_coal_products' then mwh else 0 end)
            as fossil_coal_and_coal_products_mwh,
        sum(case when esrs_source = 'fossil' and esrs_category = 'crude_oil_and_petroleum_products' then mwh else 0 end)
            as fossil_crude_oil_and_petroleum_products_mwh,
        sum(case when esrs_source = 'fossil' and esrs_category = 'natural_gas' then mwh else 0 end)
            as fossil_natural_gas_mwh,
        sum(case when esrs_source = 'fossil' and esrs_category = 'other_fossil' then mwh else 0 end)
            as fossil_other_sources_mwh,
        sum(case when esrs_source = 'fossil' and esrs_category = 'fossil_purchased_energy' then mwh else 0 end)
            as fossil_purchased_electricity_heat_steam_cooling_mwh,
        sum(case when esrs_source = 'renewable' and energy_category = 'fuel' then mwh else 0 end)
            as renewable_fuels_mwh,
        sum(case when esrs_source = 'renewable' and esrs_category = 'renewable_purchased_energy' then mwh else 0 end)
            as renewable_purchased_electricity_heat_steam_cooling_mwh,
        sum(case when esrs_source = 'renewable' and esrs_category = 'renewable_self_generated' then mwh else 0 end)
            as renewable_self_generated_non_fuel_mwh,
        sum(case when energy_category = 'fuel' then mwh else 0 end) as fuel_consumption_mwh,
        sum(case when energy_category in ('purchased_electricity', 'self_generated_electricity') then mwh else 0 end)
            as electricity_consumption_mwh,
        sum(case when energy_category = 'purchased_heat' then mwh else 0 end) as heat_consumption_mwh,
        sum(case when basis = 'assumed_fossil' then mwh else 0 end) as purchased_energy_assumed_fossil_mwh

    from energy
    group by tenant_id, reporting_year

),

shares as (

    select
        aggregated.*,
        {{ decimal_divide('fossil_mwh', 'total_energy_mwh') }} as share_fossil,
        {{ decimal_divide('nuclear_mwh', 'total_energy_mwh') }} as share_nuclear

    from aggregated

),

final as (

    select
        tenant_id,
        reporting_year,
        {{ to_decimal('total_energy_mwh') }} as total_energy_mwh,
        {{ to_decimal('fossil_mwh') }} as fossil_mwh,
        {{ to_decimal('nuclear_mwh') }} as nuclear_mwh,
        {{ to_decimal('renewable_mwh') }} as renewable_mwh,
        share_fossil,
        share_nuclear,
        {{ to_decimal('1 - share_fossil - share_nuclear') }} as share_renewable,
        {{ to_decimal('fossil_coal_and_coal_products_mwh') }} as fossil_coal_and_coal_products_mwh,
        {{ to_decimal('fossil_crude_oil_and_petroleum_products_mwh') }} as fossil_crude_oil_and_petroleum_products_mwh,
        {{ to_decimal('fossil_natural_gas_mwh') }} as fossil_natural_gas_mwh,
        {{ to_decimal('fossil_other_sources_mwh') }} as fossil_other_sources_mwh,
        {{ to_decimal('fossil_purchased_electricity_heat_steam_cooling_mwh') }}
            as fossil_purchased_electricity_heat_steam_cooling_mwh,
        {{ to_decimal('renewable_fuels_mwh') }} as renewable_fuels_mwh,
        {{ to_decimal('renewable_purchased_electricity_heat_steam_cooling_mwh') }}
            as renewable_purchased_electricity_heat_steam_cooling_mwh,
        {{ to_decimal('renewable_self_generated_non_fuel_mwh') }} as renewable_self_generated_non_fuel_mwh,
        {{ to_decimal('fuel_consumption_mwh') }} as fuel_consumption_mwh,
        {{ to_decimal('electricity_consumption_mwh') }} as electricity_consumption_mwh,
        {{ to_decimal('heat_consumption_mwh') }} as heat_consumption_mwh,
        {{ to_decimal('purchased_energy_assumed_fossil_mwh') }} as purchased_energy_assumed_fossil_mwh

    from shares

)

select * from final
