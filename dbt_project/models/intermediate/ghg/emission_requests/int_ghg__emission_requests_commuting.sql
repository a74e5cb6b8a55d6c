-- Scope 3 category 7 requests, average-data method (GHG Protocol Scope 3 Technical Guidance,
-- category 7): headcount x annual commuting km per employee / 12 x mode share; the distance and the
-- shares each from the staff survey (hr__headcount.commuting_km_per_employee / commuting_mode_share)
-- when given, else from ghg_commuting_assumptions of the site's country. Walking and cycling emit
-- nothing and get no row; an activity that cannot be computed keeps one request without a factor.

{#- the commuting modes that emit (walking and cycling do not) #}
{%- set modes = ['car', 'bus', 'rail', 'other'] %}
{%- set rf = 'with_rf' if var('ghg_air_travel_with_radiative_forcing', true) else 'without_rf' %}

with

activities as (

    select * from {{ ref('int_ghg__activities') }}
    where activity_source = 'hr__headcount'

),

surveys as (

    select * from {{ ref('stg_hr__headcount') }}

),

factor_map as (

    select * from {{ ref('ghg_activity_factor_map') }}
    where activity_type = 'commuting'
        and coalesce(radiative_forcing, '') in ('', '{{ rf }}')

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

    {%- for mode in modes %}
    select '{{ mode }}' as commuting_mode
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

headcount as (

    select
        {{ ghg_request_activity_columns('activities') }}
        surveys.commuting_mode_share is not null as has_survey,
        surveys.commuting_km_per_employee as survey_km_per_employee,
        {%- for mode in modes %}
        surveys.survey_share_{{ mode }}{{ ',' if not loop.last }}
        {%- endfor %}

    from activities
    inner join surveys
        on activities.tenant_id = surveys.tenant_id
        and activities.site_id = surveys.site_id
        and activities.activity_date = surveys.period

),

per_mode as (

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

inputs as (

    -- distance: the staff survey's, else the country's; shares: the survey's, else the country's
    select
        per_mode.*,
        coalesce(survey_km_per_employee, country_km_per_employee) as annual_km_per_employee,
        case
            when not has_survey then coalesce(country_share, 0)
            {%- for mode in modes %}
            when commuting_mode = '{{ mode }}' then coalesce(survey_share_{{ mode }}, 0)
            {%- endfor %}
        end as mode_share,
        coalesce(survey_km_per_employee, country_km_per_employee) is not null
            and (has_survey or country_km_per_employee is not null) as is_computable

    from per_mode

),

final as (

    select
        {{ ghg_request_activity_columns('inputs') }}
        3 as scope,
        7 as scope_3_category,
        'commuting_average' as method,
        case when inputs.is_computable then inputs.commuting_mode else 'no_assumption' end as request_part,
        {{ to_decimal('case when inputs.is_computable then ' ~ decimal_divide(
            ghg_multiply(ghg_multiply('inputs.quantity', 'inputs.annual_km_per_employee'), 'inputs.mode_share'), '12'
        ) ~ ' end') }} as request_quantity,
        case
            when not inputs.is_computable then null
            when factor_map.quantity_basis = 'vehicle_km' then 'km'
            when factor_map.quantity_basis = 'passenger_km' then 'passenger.km'
        end as request_unit_code,
        case when inputs.is_computable then {{ ghg_match_key([
            'factor_map.desnz_level_1', 'factor_map.desnz_level_2', 'factor_map.desnz_level_3',
            'factor_map.desnz_level_4', 'factor_map.desnz_column_text'
        ]) }} end as factor_match_key,
        case
            when not inputs.is_computable
                then 'no commuting distance or mode shares: neither a staff survey (hr__headcount.'
                    || 'commuting_km_per_employee, commuting_mode_share) nor ghg_commuting_assumptions for the '
                    || 'site''s country'
            else 'average-data: headcount x annual commuting km per employee ('
                || case when inputs.survey_km_per_employee is not null then 'staff survey'
                    else 'ghg_commuting_assumptions' end
                || ') / 12 x mode share ('
                || case when inputs.has_survey then 'staff survey' else 'ghg_commuting_assumptions' end
                || ')'
        end as calculation_note

    from inputs
    left join factor_map
        on factor_map.mode = inputs.commuting_mode
    where (inputs.is_computable and factor_map.activity_type is not null and inputs.mode_share > 0)
        or (not inputs.is_computable and inputs.commuting_mode = 'car')

)

select * from final
