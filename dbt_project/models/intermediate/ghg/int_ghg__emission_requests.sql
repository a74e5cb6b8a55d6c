-- What each activity needs a factor for: one row per (activity, method, part), saying which factor
-- (factor_match_key, see ghg_match_key), for which quantity in which unit and calorific basis, and
-- where the result goes (scope, Scope 3 category, method, market basis). int_ghg__emissions finds
-- the factor set, converts the quantity into the factor's unit and computes the emissions.
--
-- Scope 1
--   stationary_combustion / mobile_combustion  fuel records, natural-gas meters: DESNZ Fuels /
--                                  Bioenergy factor of the fuel (ghg_fuels), per unit and CV basis
--   fugitive                       refrigerant top-ups (kg) x DESNZ Refrigerant & other factor of the
--                                  substance (its GWP; "Emissions including only Kyoto products")
-- Scope 2 (metered electricity and district heat)
--   location_based                 GB: DESNZ UK electricity (Electricity generated, kWh); US: EPA
--                                  eGRID subregion of the facility (Table 6, total output rates);
--                                  elsewhere: Ember country intensity; heat: DESNZ district heat (GB)
--   market_based                   kWh covered by contractual instruments (int_ghg__instrument_allocations)
--                                  at the instrument's factor (market_basis contractual_instrument);
--                                  the rest at the residual mix of the country (residual_mix) when
--                                  int_ghg__residual_mixes has one for the reporting year (AIB, that
--                                  year's or the latest earlier), else at the location-based factor
--                                  (market_basis location_fallback). Heat: location_fallback.
-- Scope 3
--   cat 3 well_to_tank             fuels, every country: DESNZ WTT- fuels / WTT- bioenergy of the fuel
--                                  (ghg_fuels; UK supply chains, the only WTT factors in the store);
--                                  GB electricity: WTT- UK electricity (generation) and (T&D); GB heat:
--                                  WTT- heat and steam, WTT- district heat & steam distribution
--   cat 3 td_losses                GB electricity: T&D- UK electricity; GB heat: Distribution - district
--                                  heat & steam (5% loss); US electricity: eGRID total output rates of
--                                  the facility's subregion x its grid gross loss, per gas (EPA Hub
--                                  Table 6; int_factors__epa, key 'egrid|<subregion>|td_losses')
--   cat 4 freight_tonne_km         freight legs (DESNZ Freighting goods via ghg_activity_factor_map)
--   cat 6 business_travel_distance flights, rail, bus, car, taxi, hotel nights (DESNZ Business
--                                  travel- air / land, Hotel stay via ghg_activity_factor_map)
--   cat 7 commuting_average        average-data method (GHG Protocol Scope 3 Technical Guidance,
--                                  category 7): headcount x annual commuting km per employee / 12 x
--                                  mode share; the distance and the shares each from the staff survey
--                                  (hr__headcount.commuting_km_per_employee / commuting_mode_share)
--                                  when given, else from ghg_commuting_assumptions of the site's country;
--                                  walking and cycling emit nothing and get no row.
-- Flights and air freight: with radiative forcing unless var ghg_air_travel_with_radiative_forcing
-- is false (DESNZ publishes both).
-- Cat 3 coverage of purchased electricity and heat (GHG Protocol activities B: upstream of the energy
-- consumed, C: T&D losses):
--   GB  electricity B and C in full (WTT generation, WTT T&D, T&D); heat likewise (DESNZ).
--   US  electricity C, combustion part only: EPA publishes loss rates and combustion rates but no WTT
--       factor, so B and the upstream part of C get no row. A subregion without a loss rate (PRMS in
--       the 2025 hub) keeps its td request with factor_status missing. US heat: no cat 3 row.
--   elsewhere (Ember countries) electricity and heat get no cat 3 row: the store has no loss rate or
--       WTT factor for them (Ember's life-cycle intensity already includes upstream, in Scope 2).
-- An activity whose factor cannot be found still gets its request: int_ghg__emissions keeps it with
-- NULL emissions (factor_status missing) instead of dropping it.

{%- set with_rf = var('ghg_air_travel_with_radiative_forcing', true) %}
{%- set activity_columns = [
    'tenant_id', 'activity_id', 'activity_source', 'activity_reference', 'activity_type', 'facility_id',
    'activity_date', 'reporting_year', 'quantity', 'unit', '_batch_id', '_source_row', '_ingested_at'
] %}

{%- set rf = 'with_rf' if with_rf else 'without_rf' %}
{#- the commuting modes that emit (walking and cycling do not) #}
{%- set commuting_modes = ['car', 'bus', 'rail', 'other'] %}

with

activities as (

    select * from {{ ref('int_ghg__activities') }}

),

factor_map as (

    select * from {{ ref('ghg_activity_factor_map') }}
    where coalesce(radiative_forcing, '') in ('', '{{ rf }}')

),

residual_mixes as (

    -- the residual mix of the country for the reporting year, or the most recent earlier one
    select * from {{ ref('int_ghg__residual_mixes') }}

),

{%- set uk_electricity = ghg_match_key(["'UK electricity'", "'Electricity generated'", "'Electricity: UK'", "'kWh'", 'null']) %}
{%- set uk_heat = ghg_match_key(["'Heat and steam'", "'Heat and steam'", "'District heat and steam'", "'kWh'", 'null']) %}

located as (

    select
        activities.*,
        case
            when activities.activity_type = 'metered_electricity' then
                case
                    when activities.country_code = 'GB' then {{ uk_electricity }}
                    when activities.country_code = 'US' then {{ ghg_match_key(["'egrid'", 'activities.grid_region']) }}
                    when activities.country_code_iso3 is not null
                        then {{ ghg_match_key(["'ember'", 'activities.country_code_iso3']) }}
                end
            when activities.activity_type = 'metered_district_heat' then
                case
                    when activities.country_code = 'GB' then {{ uk_heat }}
                    else {{ ghg_match_key(["'district_heat'", 'activities.country_code']) }}
                end
        end as location_factor_match_key

    from activities

),

fuel_requests as (

    select
        {%- for column in activity_columns %}
        located.{{ column }},
        {%- endfor %}
        1 as scope,
        cast(null as integer) as scope_3_category,
        case when activity_type = 'mobile_fuel' then 'mobile_combustion' else 'stationary_combustion' end as method,
        cast(null as {{ dbt.type_string() }}) as market_basis,
        'combustion' as request_part,
        quantity as request_quantity,
        unit_code as request_unit_code,
        calorific_basis as request_calorific_basis,
        {{ ghg_match_key(['desnz_level_1', 'desnz_level_2', 'desnz_level_3', 'null', 'null']) }} as factor_match_key,
        cast(null as {{ dbt.type_string() }}) as calculation_note

    from located
    where activity_type in ('stationary_fuel', 'mobile_fuel', 'metered_natural_gas')

    union all

    select
        {%- for column in activity_columns %}
        located.{{ column }},
        {%- endfor %}
        3 as scope,
        3 as scope_3_category,
        'well_to_tank' as method,
        cast(null as {{ dbt.type_string() }}) as market_basis,
        'fuel_wtt' as request_part,
        quantity as request_quantity,
        unit_code as request_unit_code,
        calorific_basis as request_calorific_basis,
        {{ ghg_match_key(['desnz_wtt_level_1', 'desnz_wtt_level_2', 'desnz_wtt_level_3', 'null', 'null']) }}
            as factor_match_key,
        cast(null as {{ dbt.type_string() }}) as calculation_note

    from located
    where activity_type in ('stationary_fuel', 'mobile_fuel', 'metered_natural_gas')

),

fugitive_requests as (

    select
        {%- for column in activity_columns %}
        located.{{ column }},
        {%- endfor %}
        1 as scope,
        cast(null as integer) as scope_3_category,
        'fugitive' as method,
        cast(null as {{ dbt.type_string() }}) as market_basis,
        'top_up' as request_part,
        quantity as request_quantity,
        unit_code as request_unit_code,
        calorific_basis as request_calorific_basis,
        {{ ghg_match_key([
            'desnz_level_1', 'desnz_level_2', 'desnz_level_3', 'null', "'Emissions including only Kyoto products'"
        ]) }} as factor_match_key,
        cast(null as {{ dbt.type_string() }}) as calculation_note

    from located
    where activity_type = 'refrigerant'

),

covered as (

    select
        activity_id,
        instrument_id,
        tenant_id,
        covered_kwh

    from {{ ref('int_ghg__instrument_allocations') }}

),

covered_per_day as (

    select
        activity_id,
        sum(covered_kwh) as covered_kwh

    from covered
    group by activity_id

),

purchased_energy_requests as (

    -- location-based
    select
        {%- for column in activity_columns %}
        located.{{ column }},
        {%- endfor %}
        2 as scope,
        cast(null as integer) as scope_3_category,
        'location_based' as method,
        cast(null as {{ dbt.type_string() }}) as market_basis,
        'location' as request_part,
        quantity as request_quantity,
        unit_code as request_unit_code,
        calorific_basis as request_calorific_basis,
        location_factor_match_key as factor_match_key,
        cast(null as {{ dbt.type_string() }}) as calculation_note

    from located
    where activity_type in ('metered_electricity', 'metered_district_heat')

    union all

    -- market-based: the part covered by each instrument
    select
        {%- for column in activity_columns %}
        located.{{ column }},
        {%- endfor %}
        2 as scope,
        cast(null as integer) as scope_3_category,
        'market_based' as method,
        'contractual_instrument' as market_basis,
        'instrument:' || covered.instrument_id as request_part,
        covered.covered_kwh as request_quantity,
        'kWh' as request_unit_code,
        cast(null as {{ dbt.type_string() }}) as request_calorific_basis,
        {{ ghg_match_key(["'instrument'", "covered.tenant_id || '/' || covered.instrument_id"]) }} as factor_match_key,
        cast(null as {{ dbt.type_string() }}) as calculation_note

    from located
    inner join covered
        on located.activity_id = covered.activity_id

    union all

    -- market-based: the part no instrument covers
    select
        {%- for column in activity_columns %}
        located.{{ column }},
        {%- endfor %}
        2 as scope,
        cast(null as integer) as scope_3_category,
        'market_based' as method,
        case
            when located.activity_type = 'metered_electricity' and residual_mixes.country_code is not null
                then 'residual_mix'
            else 'location_fallback'
        end as market_basis,
        'uncovered' as request_part,
        {{ to_decimal('located.quantity - coalesce(covered_per_day.covered_kwh, 0)') }} as request_quantity,
        located.unit_code as request_unit_code,
        located.calorific_basis as request_calorific_basis,
        case
            when located.activity_type = 'metered_electricity' and residual_mixes.country_code is not null
                then {{ ghg_match_key(["'residual_mix'", 'located.country_code']) }}
            else located.location_factor_match_key
        end as factor_match_key,
        cast(null as {{ dbt.type_string() }}) as calculation_note

    from located
    left join covered_per_day
        on located.activity_id = covered_per_day.activity_id
    left join residual_mixes
        on located.country_code = residual_mixes.country_code
        and located.reporting_year = residual_mixes.reporting_year
    where located.activity_type in ('metered_electricity', 'metered_district_heat')
        and (located.quantity is null or located.quantity - coalesce(covered_per_day.covered_kwh, 0) > 0)

),

{#- (activity type, country, method, part, factor key parts): GB from DESNZ, US from EPA eGRID. -#}
{%- set cat3_parts = [
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

energy_upstream_requests as (

    {%- for activity_type, country, method, part, path in cat3_parts %}

    select
        {%- for column in activity_columns %}
        located.{{ column }},
        {%- endfor %}
        3 as scope,
        3 as scope_3_category,
        '{{ method }}' as method,
        cast(null as {{ dbt.type_string() }}) as market_basis,
        '{{ part }}' as request_part,
        quantity as request_quantity,
        unit_code as request_unit_code,
        calorific_basis as request_calorific_basis,
        {{ ghg_match_key(path) }} as factor_match_key,
        cast(null as {{ dbt.type_string() }}) as calculation_note

    from located
    where activity_type = '{{ activity_type }}'
        and country_code = '{{ country }}'
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

travel_requests as (

    select
        {%- for column in activity_columns %}
        located.{{ column }},
        {%- endfor %}
        3 as scope,
        case when located.activity_type = 'freight' then 4 else 6 end as scope_3_category,
        case
            when located.activity_type = 'freight' then 'freight_tonne_km'
            else 'business_travel_distance'
        end as method,
        cast(null as {{ dbt.type_string() }}) as market_basis,
        coalesce(located.mode, 'unknown') as request_part,
        located.quantity as request_quantity,
        located.unit_code as request_unit_code,
        located.calorific_basis as request_calorific_basis,
        case
            when factor_map.activity_type is not null then {{ ghg_match_key([
                'factor_map.desnz_level_1', 'factor_map.desnz_level_2', 'factor_map.desnz_level_3',
                'factor_map.desnz_level_4', 'factor_map.desnz_column_text'
            ]) }}
        end as factor_match_key,
        factor_map.note as calculation_note

    from located
    left join factor_map
        on factor_map.activity_type = located.activity_type
        and factor_map.mode = located.mode
        and (
            (coalesce(factor_map.variant, '') = '' and located.factor_variant is null)
            or factor_map.variant = located.factor_variant
            or (
                located.mode = 'hotel'
                and (
                    factor_map.variant = upper(located.factor_variant)
                    or lower(factor_map.desnz_level_3) = lower(located.factor_variant)
                )
            )
        )
    where located.activity_type in ('business_travel', 'freight')

),

headcount as (

    select
        {%- for column in activity_columns %}
        located.{{ column }},
        {%- endfor %}
        located.country_code,
        survey.commuting_mode_share is not null as has_survey,
        survey.commuting_km_per_employee as survey_km_per_employee,
        {%- for mode in commuting_modes %}
        survey.survey_share_{{ mode }}{{ ',' if not loop.last }}
        {%- endfor %}

    from located
    inner join {{ ref('stg_hr__headcount') }} as survey
        on located.activity_source = 'hr__headcount'
        and located.tenant_id = survey.tenant_id
        and located.site_id = survey.site_id
        and located.activity_date = survey.period

),

commuting_assumptions as (

    select
        upper(trim(country_code)) as country_code,
        {{ ghg_normalise('mode') }} as mode,
        {{ to_decimal('share_of_distance') }} as share_of_distance,
        {{ to_decimal('annual_km_per_employee') }} as annual_km_per_employee

    from {{ ref('ghg_commuting_assumptions') }}

),

emitting_modes as (

    {%- for mode in commuting_modes %}
    select '{{ mode }}' as commuting_mode
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

commuting_modes as (

    select
        headcount.*,
        emitting_modes.commuting_mode,
        commuting_assumptions.share_of_distance as country_share,
        -- one distance per country (the seed repeats it on each mode)
        max(commuting_assumptions.annual_km_per_employee) over (partition by headcount.activity_id)
            as country_km_per_employee

    from headcount
    cross join emitting_modes
    left join commuting_assumptions
        on headcount.country_code = commuting_assumptions.country_code
        and emitting_modes.commuting_mode = commuting_assumptions.mode

),

commuting_inputs as (

    -- distance: the staff survey's, else the country's; shares: the survey's, else the country's
    select
        commuting_modes.*,
        coalesce(survey_km_per_employee, country_km_per_employee) as annual_km_per_employee,
        case
            when not has_survey then coalesce(country_share, 0)
            {%- for mode in commuting_modes %}
            when commuting_mode = '{{ mode }}' then coalesce(survey_share_{{ mode }}, 0)
            {%- endfor %}
        end as mode_share,
        coalesce(survey_km_per_employee, country_km_per_employee) is not null
            and (has_survey or country_km_per_employee is not null) as is_computable

    from commuting_modes

),

commuting_requests as (

    select
        {%- for column in activity_columns %}
        commuting_inputs.{{ column }},
        {%- endfor %}
        3 as scope,
        7 as scope_3_category,
        'commuting_average' as method,
        cast(null as {{ dbt.type_string() }}) as market_basis,
        case when commuting_inputs.is_computable then commuting_inputs.commuting_mode else 'no_assumption' end
            as request_part,
        case when commuting_inputs.is_computable then
            {{ decimal_divide(
                ghg_multiply(ghg_multiply('commuting_inputs.quantity', 'commuting_inputs.annual_km_per_employee'),
                             'commuting_inputs.mode_share'),
                '12'
            ) }}
        end as request_quantity,
        case
            when not commuting_inputs.is_computable then null
            when factor_map.quantity_basis = 'vehicle_km' then 'km'
            when factor_map.quantity_basis = 'passenger_km' then 'passenger.km'
        end as request_unit_code,
        cast(null as {{ dbt.type_string() }}) as request_calorific_basis,
        case when commuting_inputs.is_computable then {{ ghg_match_key([
            'factor_map.desnz_level_1', 'factor_map.desnz_level_2', 'factor_map.desnz_level_3',
            'factor_map.desnz_level_4', 'factor_map.desnz_column_text'
        ]) }} end as factor_match_key,
        case
            when not commuting_inputs.is_computable
                then 'no commuting distance or mode shares: neither a staff survey (hr__headcount.'
                    || 'commuting_km_per_employee, commuting_mode_share) nor ghg_commuting_assumptions for the '
                    || 'site''s country'
            else 'average-data: headcount x annual commuting km per employee ('
                || case when commuting_inputs.survey_km_per_employee is not null then 'staff survey'
                    else 'ghg_commuting_assumptions' end
                || ') / 12 x mode share ('
                || case when commuting_inputs.has_survey then 'staff survey' else 'ghg_commuting_assumptions' end
                || ')'
        end as calculation_note

    from commuting_inputs
    left join factor_map
        on factor_map.activity_type = 'commuting'
        and factor_map.mode = commuting_inputs.commuting_mode
    where (commuting_inputs.is_computable and factor_map.activity_type is not null and commuting_inputs.mode_share > 0)
        -- an activity that cannot be computed keeps one request without a factor: it is not dropped
        or (not commuting_inputs.is_computable and commuting_inputs.commuting_mode = 'car')

),

unioned as (

    select * from fuel_requests
    union all
    select * from fugitive_requests
    union all
    select * from purchased_energy_requests
    union all
    select * from energy_upstream_requests
    union all
    select * from travel_requests
    union all
    select * from commuting_requests

),

final as (

    select
        {{ surrogate_key(['activity_id', 'method', 'request_part']) }} as request_id,
        tenant_id,
        activity_id,
        activity_source,
        activity_reference,
        activity_type,
        facility_id,
        activity_date,
        reporting_year,
        scope,
        scope_3_category,
        method,
        market_basis,
        request_part,
        quantity as activity_quantity,
        unit as activity_unit,
        {{ to_decimal('request_quantity') }} as quantity,
        request_unit_code as unit_code,
        request_calorific_basis as calorific_basis,
        factor_match_key,
        calculation_note,
        _batch_id,
        _source_row,
        _ingested_at

    from unioned

)

select * from final
