-- Contractual instruments of one site should not overlap in time: when they do, a day is covered at
-- most once (int_ghg__instrument_allocations caps it) and the later instrument loses capacity.
-- Severity warn: the figures stay correct (conservative), the overlap is worth a look.
select
    first_instrument.tenant_id,
    first_instrument.site_id,
    first_instrument.instrument_id,
    second_instrument.instrument_id as overlapping_instrument_id

from {{ ref('stg_energy__contractual_instruments') }} as first_instrument
inner join {{ ref('stg_energy__contractual_instruments') }} as second_instrument
    on first_instrument.tenant_id = second_instrument.tenant_id
    and first_instrument.site_id = second_instrument.site_id
    and first_instrument.instrument_id < second_instrument.instrument_id
    and first_instrument.period_start <= second_instrument.period_end
    and second_instrument.period_start <= first_instrument.period_end
