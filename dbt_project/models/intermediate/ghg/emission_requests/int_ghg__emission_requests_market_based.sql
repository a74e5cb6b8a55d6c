-- Scope 2 market-based requests of metered electricity and district heat (GHG Protocol Scope 2
-- Guidance): the kWh each contractual instrument covers (int_ghg__instrument_allocations) at the
-- instrument's factor (market_basis contractual_instrument); the rest at the residual mix of the
-- country (residual_mix) when int_ghg__residual_mixes has one for the reporting year (AIB, that
-- year's or the latest earlier), else at the location-based factor (location_fallback).
-- Heat: location_fallback.

with

activities as (

    select * from {{ ref('int_ghg__activities') }}
    where activity_type in ('metered_electricity', 'metered_district_heat')

),

covered as (

    select * from {{ ref('int_ghg__instrument_allocations') }}

),

residual_mixes as (

    select * from {{ ref('int_ghg__residual_mixes') }}

),

covered_per_day as (

    select
        activity_id,
        sum(covered_kwh) as covered_kwh

    from covered
    group by activity_id

),

instrument_parts as (

    select
        {{ ghg_request_activity_columns('activities') }}
        'contractual_instrument' as market_basis,
        'instrument:' || covered.instrument_id as request_part,
        covered.covered_kwh as request_quantity,
        'kWh' as request_unit_code,
        cast(null as {{ dbt.type_string() }}) as request_calorific_basis,
        {{ ghg_match_key(["'instrument'", "covered.tenant_id || '/' || covered.instrument_id"]) }} as factor_match_key

    from activities
    inner join covered
        on activities.activity_id = covered.activity_id

),

uncovered_parts as (

    select
        {{ ghg_request_activity_columns('activities') }}
        case
            when activities.activity_type = 'metered_electricity' and residual_mixes.country_code is not null
                then 'residual_mix'
            else 'location_fallback'
        end as market_basis,
        'uncovered' as request_part,
        {{ to_decimal('activities.quantity - coalesce(covered_per_day.covered_kwh, 0)') }} as request_quantity,
        activities.unit_code as request_unit_code,
        activities.calorific_basis as request_calorific_basis,
        case
            when activities.activity_type = 'metered_electricity' and residual_mixes.country_code is not null
                then {{ ghg_match_key(["'residual_mix'", 'activities.country_code']) }}
            else {{ ghg_location_factor_match_key('activities') }}
        end as factor_match_key

    from activities
    left join covered_per_day
        on activities.activity_id = covered_per_day.activity_id
    left join residual_mixes
        on activities.country_code = residual_mixes.country_code
        and activities.reporting_year = residual_mixes.reporting_year
    where activities.quantity is null or activities.quantity - coalesce(covered_per_day.covered_kwh, 0) > 0

),

final as (

    select *, 2 as scope, 'market_based' as method from instrument_parts
    union all
    select *, 2 as scope, 'market_based' as method from uncovered_parts

)

select * from final
