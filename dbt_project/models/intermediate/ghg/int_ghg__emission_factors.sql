-- The factor store: every emission factor of every publisher in one shape (DESNZ, EPA, Ember, AIB
-- residual mixes, tenants' contractual instruments, EPA supply chain (EEIO) factors), expressed in
-- kg CO2e per unit on one GWP basis, with its validity history. dim_emission_factor is this model with an enforced contract.
--
-- emission_factor_id = surrogate_key(publisher, edition, version, publisher_factor_id, gas).
--
-- GWP basis: ghg_gwp_basis() = var('ghg_gwp_basis'), AR5 by default (as DESNZ 2024), AR6 selectable.
-- value (kg CO2e per unit on gwp_basis) by value_kind:
--   mass_of_gas       published mass x mass_to_kg x GWP(gas, basis)                        (EPA)
--   co2e_of_gas       published on another basis: published x GWP(gas, basis) / GWP(gas, published basis)
--                     (exact decimal division, decimal_divide)                               (DESNZ CH4, N2O)
--   gwp_of_substance  published on another basis: GWP(substance, basis)                     (DESNZ refrigerants)
--   co2e              published x mass_to_kg, unchanged (CO2 has GWP 1 on every basis; a CO2e total
--                     whose gas mix is not published cannot be re-expressed and keeps the publisher's
--                     basis, which gwp_basis then states)
-- GWPs: seed ghg_gwp_values (IPCC AR5 WG1 Table 8.A.1, AR6 WG1 Table 7.SM.7 / 7.15).
--
-- Validity (restatements): the rows of one (publisher, edition, publisher_factor_id, gas) across
-- versions, ordered by published_at then version: each row is valid from its publication until the
-- next version's (valid_to = the later version's published_at; NULL = current). DESNZ 2024 v1.0 ->
-- v1.1 (18 Oct 2024, diesel CH4 per km corrected from 0): the v1.0 row stays, closed. A factor missing
-- from a later version stays current.
--
-- Factor sets: the rows of one publication sharing factor_set_key (DESNZ: activity path and unit;
-- EPA: row and unit) are one set. has_complete_gas_breakdown: the set has CO2, CH4 and N2O values;
-- then emissions are computed per gas and the set's CO2e total is not used (is_used_for_totals
-- false), else the CO2e total is used alone - so summing a set's used rows never double counts.
-- EPA publishes masses of each gas and no CO2e total: its gas rows are used whatever the set holds
-- (Hub Table 2, mobile combustion: CO2 alone).

{%- set basis = ghg_gwp_basis() %}

with

unioned as (

    select * from {{ ref('int_factors__desnz') }}
    union all
    select * from {{ ref('int_factors__epa') }}
    union all
    select * from {{ ref('int_factors__grid') }}
    union all
    select * from {{ ref('int_factors__contractual_instruments') }}
    union all
    select * from {{ ref('int_factors__eeio') }}

),

gwp_values as (

    select
        gas_key,
        {{ to_decimal('ar5_gwp100') }} as gwp_ar5,
        {{ to_decimal('ar6_gwp100') }} as gwp_ar6

    from {{ ref('ghg_gwp_values') }}

),

with_gwp as (

    select
        unioned.*,
        {{ 'gwp_values.gwp_ar5' if basis == 'AR5' else 'gwp_values.gwp_ar6' }} as gwp_selected,
        case unioned.published_gwp_basis
            when 'AR5' then gwp_values.gwp_ar5
            when 'AR6' then gwp_values.gwp_ar6
        end as gwp_published

    from unioned
    left join gwp_values
        on unioned.gwp_gas_key = gwp_values.gas_key

),

expressed as (

    select
        with_gwp.*,
        case
            when value_kind = 'mass_of_gas'
                then {{ ghg_multiply(ghg_multiply('published_value', 'mass_to_kg'), 'gwp_selected') }}
            when value_kind = 'co2e_of_gas' and published_gwp_basis = '{{ basis }}'
                then published_value
            when value_kind = 'co2e_of_gas'
                then {{ decimal_divide(ghg_multiply('published_value', 'gwp_selected'), 'gwp_published') }}
            when value_kind = 'gwp_of_substance' and (published_gwp_basis = '{{ basis }}' or gwp_selected is null)
                then published_value
            when value_kind = 'gwp_of_substance' and published_value is not null
                then gwp_selected
            else {{ ghg_multiply('published_value', 'mass_to_kg') }}
        end as value,
        case
            when value_kind in ('mass_of_gas', 'co2e_of_gas') then
                case when gwp_selected is not null then '{{ basis }}' end
            when value_kind = 'gwp_of_substance' then
                case when gwp_selected is not null then '{{ basis }}' else published_gwp_basis end
            when gas = 'CO2' then '{{ basis }}'
            else published_gwp_basis
        end as gwp_basis

    from with_gwp

),

keyed as (

    select
        {{ surrogate_key(['publisher', 'edition', 'version', 'publisher_factor_id', 'gas']) }} as emission_factor_id,
        {{ surrogate_key(['publisher', 'edition', 'version', 'factor_set_key']) }} as factor_set_id,
        expressed.*

    from expressed

),

versioned as (

    select
        keyed.*,
        lead(published_at) over (
            partition by tenant_id, publisher, edition, publisher_factor_id, gas
            order by published_at, version
        ) as next_version_published_at,
        {%- for gas in ['CO2', 'CH4', 'N2O'] %}
        max(case when gas = '{{ gas }}' and value is not null then 1 else 0 end) over (partition by factor_set_id)
            {%- if not loop.last %} +{% endif %}
        {%- endfor %} as gases_with_value

    from keyed

),

final as (

    select
        emission_factor_id,
        factor_set_id,
        tenant_id,
        publisher,
        edition,
        version,
        publisher_factor_id,
        scope_published,
        level_1,
        level_2,
        level_3,
        level_4,
        column_text,
        activity_path,
        factor_match_key,
        region,
        unit,
        unit_code,
        calorific_basis,
        gas,
        published_value,
        published_unit,
        published_gwp_basis,
        value_kind,
        {{ to_decimal('value') }} as value,
        gwp_basis,
        factor_year,
        published_at as valid_from,
        next_version_published_at as valid_to,
        next_version_published_at is null as is_current,
        gases_with_value = 3 as has_complete_gas_breakdown,
        case
            when gases_with_value = 3 or value_kind = 'mass_of_gas' then gas <> 'CO2e' and value is not null
            else gas = 'CO2e' and value is not null
        end as is_used_for_totals,
        _batch_id,
        _source_row

    from versioned

)

select * from final
