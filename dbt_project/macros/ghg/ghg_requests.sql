{#-
  ghg_request_activity_columns(relation): the activity columns every emission request carries
  (int_ghg__emission_requests_* models), qualified by `relation`, each followed by a comma; country_code
  is the site's (NULL without a site), what int_ghg__emissions compares the factor's jurisdiction with.
-#}
{% macro ghg_request_activity_columns(relation) -%}
    {%- for column in [
        'tenant_id', 'activity_id', 'activity_source', 'activity_reference', 'activity_type', 'facility_id',
        'country_code', 'activity_date', 'reporting_year', 'quantity', 'unit', '_batch_id', '_source_row',
        '_ingested_at'
    ] %}
        {{ relation }}.{{ column }},
    {%- endfor %}
{%- endmacro %}

{#-
  ghg_factor_map_requests(activity_type, scope_3_category, method): the requests of the activities of
  one type whose factor the ghg_activity_factor_map seed names by (activity type, mode, variant):
  freight (category 4) and business travel (category 6). Expects CTEs `activities` and `factor_map`.
  A hotel's variant is its country, matched upper-cased or by DESNZ level 3.
-#}
{% macro ghg_factor_map_requests(activity_type, scope_3_category, method) -%}
    select
        {{ ghg_request_activity_columns('activities') }}
        3 as scope,
        {{ scope_3_category }} as scope_3_category,
        '{{ method }}' as method,
        coalesce(activities.mode, 'unknown') as request_part,
        activities.quantity as request_quantity,
        activities.unit_code as request_unit_code,
        activities.calorific_basis as request_calorific_basis,
        case
            when factor_map.activity_type is not null then {{ ghg_match_key([
                'factor_map.desnz_level_1', 'factor_map.desnz_level_2', 'factor_map.desnz_level_3',
                'factor_map.desnz_level_4', 'factor_map.desnz_column_text'
            ]) }}
        end as factor_match_key,
        factor_map.note as calculation_note

    from activities
    left join factor_map
        on factor_map.activity_type = activities.activity_type
        and factor_map.mode = activities.mode
        and (
            (coalesce(factor_map.variant, '') = '' and activities.factor_variant is null)
            or factor_map.variant = activities.factor_variant
            or (
                activities.mode = 'hotel'
                and (
                    factor_map.variant = upper(activities.factor_variant)
                    or lower(factor_map.desnz_level_3) = lower(activities.factor_variant)
                )
            )
        )
    where activities.activity_type = '{{ activity_type }}'
{%- endmacro %}

{#-
  ghg_location_factor_match_key(relation): the location-based factor key of a metered electricity or
  district heat activity (columns activity_type, country_code, country_code_iso3, grid_region of
  `relation`): electricity GB: DESNZ UK electricity (Electricity generated, kWh); US: EPA eGRID
  subregion of the facility; elsewhere: Ember country intensity; heat GB: DESNZ district heat and
  steam, elsewhere 'district_heat|<country>' (no factor in the store: factor_status missing).
-#}
{% macro ghg_location_factor_match_key(relation) -%}
    {%- set r = relation ~ '.' -%}
    case
        when {{ r }}activity_type = 'metered_electricity' then
            case
                when {{ r }}country_code = 'GB' then {{ ghg_match_key(["'UK electricity'", "'Electricity generated'", "'Electricity: UK'", "'kWh'", 'null']) }}
                when {{ r }}country_code = 'US' then {{ ghg_match_key(["'egrid'", r ~ 'grid_region']) }}
                when {{ r }}country_code_iso3 is not null then {{ ghg_match_key(["'ember'", r ~ 'country_code_iso3']) }}
            end
        when {{ r }}activity_type = 'metered_district_heat' then
            case
                when {{ r }}country_code = 'GB' then {{ ghg_match_key(["'Heat and steam'", "'Heat and steam'", "'District heat and steam'", "'kWh'", 'null']) }}
                else {{ ghg_match_key(["'district_heat'", r ~ 'country_code']) }}
            end
    end
{%- endmacro %}
