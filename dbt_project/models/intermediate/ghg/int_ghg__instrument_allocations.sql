-- Contractual instruments allocated to metered electricity (GHG Protocol Scope 2 Guidance,
-- market-based method: an instrument covers consumption of its site within its period, up to its
-- MWh; what it does not cover takes the residual mix, or the location-based factor as fallback).
-- 1. Each usable instrument (emission factor known; renewable certificates without one convey 0)
--    covers the electricity meter-days of its site within period_start..period_end in date order
--    (then meter id) until its MWh are used: covered = min(day kWh, instrument kWh not yet used).
-- 2. Several instruments of one site overlapping in time: a meter-day is never covered beyond its
--    consumption; instruments take it in order of period_start, then instrument_id (capacity an
--    instrument loses this way is not moved to other days: conservative, and the overlap is
--    reported by the test assert_ghg_instruments_do_not_overlap).
-- One row per (meter-day activity, instrument) with covered_kwh > 0.

with

instruments as (

    select * from {{ ref('stg_energy__contractual_instruments') }}
    where emission_factor_kg_per_kwh is not null
        and mwh > 0

),

electricity_days as (

    select * from {{ ref('int_ghg__activities') }}
    where activity_type = 'metered_electricity'
        and quantity > 0

),

eligible as (

    select
        electricity_days.activity_id,
        electricity_days.tenant_id,
        electricity_days.site_id,
        electricity_days.activity_item as meter_id,
        electricity_days.activity_date,
        electricity_days.quantity as day_kwh,
        instruments.instrument_id,
        instruments.instrument_type,
        instruments.is_renewable,
        instruments.period_start,
        {{ ghg_multiply('instruments.mwh', '1000') }} as instrument_kwh,
        sum(electricity_days.quantity) over (
            partition by instruments.tenant_id, instruments.instrument_id
            order by electricity_days.activity_date, electricity_days.activity_item
            rows between unbounded preceding and current row
        ) as cumulative_kwh

    from instruments
    inner join electricity_days
        on instruments.tenant_id = electricity_days.tenant_id
        and instruments.site_id = electricity_days.site_id
        and electricity_days.activity_date between instruments.period_start and instruments.period_end

),

allocated as (

    select
        eligible.*,
        greatest(
            {{ to_decimal('0') }},
            least(day_kwh, instrument_kwh - (cumulative_kwh - day_kwh))
        ) as allocated_kwh

    from eligible

),

capped as (

    select
        allocated.*,
        coalesce(sum(allocated_kwh) over (
            partition by activity_id
            order by period_start, instrument_id
            rows between unbounded preceding and 1 preceding
        ), 0) as allocated_before_kwh

    from allocated

),

final as (

    select
        {{ surrogate_key(['activity_id', 'tenant_id', 'instrument_id']) }} as instrument_allocation_id,
        activity_id,
        tenant_id,
        site_id,
        meter_id,
        activity_date,
        instrument_id,
        instrument_type,
        is_renewable,
        day_kwh,
        {{ to_decimal('greatest(' ~ to_decimal('0') ~ ', least(allocated_kwh, day_kwh - allocated_before_kwh))') }}
            as covered_kwh

    from capped

)

select * from final
where covered_kwh > 0
