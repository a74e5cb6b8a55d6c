-- Meters per tenant: every meter that sent readings or is configured in the ghg_meters seed, with
-- its facility and energy carrier. is_configured false: readings of a meter the seed does not list
-- (its days are flagged unknown_meter in int_ghg__activities and the build fails).

with

configured as (

    select
        tenant_id,
        meter_id,
        max(site_id) as site_id,
        max({{ ghg_normalise('energy_carrier') }}) as energy_carrier,
        max({{ ghg_calorific_basis('calorific_basis') }}) as calorific_basis

    from {{ ref('ghg_meters') }}
    group by tenant_id, meter_id

),

reading_spans as (

    select
        tenant_id,
        meter_id,
        min(consumption_date) as first_reading_date,
        max(consumption_date) as last_reading_date

    from {{ ref('int_ghg__meter_days') }}
    group by tenant_id, meter_id

),

meters as (

    select tenant_id, meter_id from configured
    union
    select tenant_id, meter_id from reading_spans

),

final as (

    select
        {{ surrogate_key(['meters.tenant_id', 'meters.meter_id']) }} as meter_key,
        meters.tenant_id,
        meters.meter_id,
        case
            when configured.site_id is not null
                then {{ surrogate_key(['meters.tenant_id', 'configured.site_id']) }}
        end as facility_id,
        configured.site_id,
        configured.energy_carrier,
        configured.calorific_basis,
        reading_spans.first_reading_date,
        reading_spans.last_reading_date,
        configured.meter_id is not null as is_configured

    from meters
    left join configured
        on meters.tenant_id = configured.tenant_id
        and meters.meter_id = configured.meter_id
    left join reading_spans
        on meters.tenant_id = reading_spans.tenant_id
        and meters.meter_id = reading_spans.meter_id

)

select * from final
