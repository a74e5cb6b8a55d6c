-- Scope 3 category 3 requests of purchased electricity and heat (GHG Protocol activities B:
-- upstream of the energy consumed, C: T&D losses):
--   GB  electricity B and C in full (DESNZ WTT- UK electricity generation and T&D, T&D- UK
--       electricity); heat likewise (WTT- heat and steam, WTT- district heat & steam distribution,
--       Distribution - district heat & steam, 5% loss).
--   US  electricity C, combustion part only: eGRID total output rates of the facility's subregion x
--       its grid gross loss, per gas (int_factors__epa, key 'egrid|<subregion>|td_losses'). EPA
--       publishes no WTT factor, so B and the upstream part of C get no row. A subregion without a
--       loss rate (PRMS in the 2025 hub) keeps its td request with factor_status missing. Heat: none.
--   elsewhere (Ember countries) no cat 3 row: the store has no loss rate or WTT factor for them
--       (Ember's life-cycle intensity already includes upstream, in Scope 2).

{#- (activity type, country, method, part, factor key parts) -#}
{%- set parts = [
    ('metered_electricity', 'GB', 'well_to_tank', 'wtt_generation',
        ["'WTT- UK electricity'", "'WTT- UK electricity (generation)'", "'Electricity: UK'", "'kWh'", 'null']),
    ('metered_electricity', 'GB', 'well_to_tank', 'wtt_td',
        ["'WTT- UK electricity'", "'WTT- UK electricity (T&D)'", "'Electricity: UK'", "'kWh'", 'null']),
    ('metered_electricity', 'GB', 'td_losses', 'td',
        ["'Transmission and distribution'", "'T&D- UK electricity'", "'Electricity: UK'", "'kWh'", 'null']),
    ('metered_electricity', 'US', 'td_losses', 'td', ["'egrid'", 'grid_region', "'td_losses'"]),
    ('metered_district_heat', 'GB', 'well_to_tank', 'wtt_heat',
        ["'WTT- heat and steam'", "'WTT- heat and steam'", "'District heat and steam'", "'kWh'", 'null']),
    ('metered_district_heat', 'GB', 'well_to_tank', 'wtt_distribution',
        ["'WTT- heat and steam'", "'WTT- district heat & steam distribution'", "'5% loss'", "'kWh'", 'null']),
    ('metered_district_heat', 'GB', 'td_losses', 'distribution',
        ["'Transmission and distribution'", "'Distribution - district heat & steam'", "'5% loss'", "'kWh'", 'null']),
] %}

with

activities as (

    select * from {{ ref('int_ghg__activities') }}
    where activity_type in ('metered_electricity', 'metered_district_heat')

),

final as (

    {%- for activity_type, country, method, part, path in parts %}

    select
        {{ ghg_request_activity_columns('activities') }}
        3 as scope,
        3 as scope_3_category,
        '{{ method }}' as method,
        '{{ part }}' as request_part,
        quantity as request_quantity,
        unit_code as request_unit_code,
        calorific_basis as request_calorific_basis,
        {{ ghg_match_key(path) }} as factor_match_key

    from activities
    where activity_type = '{{ activity_type }}'
        and country_code = '{{ country }}'
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

)

select * from final
