-- Grid average electricity factors that are not DESNZ or EPA publications, in the common shape of
-- the factor store:
-- * Ember average grid emissions intensity per country (ISO alpha-3) or region and data year,
--   gCO2e/kWh (life-cycle CO2e of the generation mix per Ember's methodology) -> kg CO2e per kWh
--   (x 0.001 from unit_conversions_ghg 'g'); gas CO2e, no gas split, so no GWP re-expression
--   (published_gwp_basis NULL: not stated per row). factor_match_key 'ember|<iso3 or key>',
--   factor_year = the data year.
-- * AIB European Residual Mixes (stg_aib__residual_mixes, loaded from the published file): the
--   residual mix emission factor per country (ISO alpha-2) and data year, g CO2/kWh -> kg per kWh
--   (x 0.001 from unit_conversions_ghg 'g'). AIB publishes direct CO2 only (no CH4 / N2O, no upstream):
--   the value stands as the set's CO2e total (gas CO2e, published_unit 'g CO2 / kWh' says what it is;
--   CO2 has GWP 1 on every basis). factor_match_key 'residual_mix|<ISO alpha-2>', factor_year = the data
--   year, publisher_factor_id '<ISO alpha-2>|<year>' (a corrected version of the edition restates it:
--   int_ghg__emission_factors). A country staging could not map (NULL code, failing its test) stays out.
--   No residual mix for a country: the market-based method falls back to the location-based factor and
--   says so (market_basis 'location_fallback', int_ghg__emission_requests).

with

ember as (

    select * from {{ ref('stg_ember__grid_intensity') }}

),

residual_mixes as (

    select * from {{ ref('stg_aib__residual_mixes') }}
    where country_code is not null

),

grams as (

    select to_base_factor from {{ ref('unit_conversions_ghg') }}
    where unit = 'g'

),

ember_factors as (

    select
        ember.tenant_id,
        ember.publisher,
        ember.edition,
        ember.version,
        ember.published_at,
        ember.ember_key || '|' || cast(ember.data_year as {{ dbt.type_string() }}) as publisher_factor_id,
        cast(null as {{ dbt.type_string() }}) as scope_published,
        'Average grid emissions intensity' as level_1,
        ember.country_or_region as level_2,
        cast(null as {{ dbt.type_string() }}) as level_3,
        cast(null as {{ dbt.type_string() }}) as level_4,
        cast(null as {{ dbt.type_string() }}) as column_text,
        'Average grid emissions intensity > ' || ember.country_or_region as activity_path,
        {{ ghg_match_key(["'ember'", 'coalesce(ember.country_code_iso3, ember.ember_key)']) }} as factor_match_key,
        {{ ghg_match_key(['ember.ember_key', 'ember.data_year']) }} as factor_set_key,
        coalesce(ember.country_code_iso3, ember.ember_key) as region,
        'kWh' as unit,
        'kWh' as unit_code,
        cast(null as {{ dbt.type_string() }}) as calorific_basis,
        'CO2e' as gas,
        ember.emissions_intensity_g_co2e_per_kwh as published_value,
        'g CO2e / kWh' as published_unit,
        'co2e' as value_kind,
        cast(null as {{ dbt.type_string() }}) as published_gwp_basis,
        cast(null as {{ dbt.type_string() }}) as gwp_gas_key,
        grams.to_base_factor as mass_to_kg,
        ember.data_year as factor_year,
        ember._batch_id,
        ember._source_row

    from ember
    cross join grams

),

residual_mix_factors as (

    select
        residual_mixes.tenant_id,
        residual_mixes.publisher,
        residual_mixes.edition,
        residual_mixes.version,
        residual_mixes.published_at,
        residual_mixes.country_code || '|' || cast(residual_mixes.data_year as {{ dbt.type_string() }})
            as publisher_factor_id,
        cast(null as {{ dbt.type_string() }}) as scope_published,
        'European residual mix' as level_1,
        residual_mixes.country_code as level_2,
        cast(null as {{ dbt.type_string() }}) as level_3,
        cast(null as {{ dbt.type_string() }}) as level_4,
        cast(null as {{ dbt.type_string() }}) as column_text,
        'European residual mix > ' || residual_mixes.country_code as activity_path,
        {{ ghg_match_key(["'residual_mix'", 'residual_mixes.country_code']) }} as factor_match_key,
        {{ ghg_match_key(['residual_mixes.country_code', 'residual_mixes.data_year']) }} as factor_set_key,
        residual_mixes.country_code as region,
        'kWh' as unit,
        'kWh' as unit_code,
        cast(null as {{ dbt.type_string() }}) as calorific_basis,
        'CO2e' as gas,
        residual_mixes.residual_mix_g_co2_per_kwh as published_value,
        'g CO2 / kWh' as published_unit,
        'co2e' as value_kind,
        cast(null as {{ dbt.type_string() }}) as published_gwp_basis,
        cast(null as {{ dbt.type_string() }}) as gwp_gas_key,
        grams.to_base_factor as mass_to_kg,
        residual_mixes.data_year as factor_year,
        residual_mixes._batch_id,
        residual_mixes._source_row

    from residual_mixes
    cross join grams

),

final as (

    select * from ember_factors
    union all
    select * from residual_mix_factors

)

select * from final
