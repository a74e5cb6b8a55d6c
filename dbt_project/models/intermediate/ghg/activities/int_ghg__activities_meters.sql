-- Metered energy as activities, one per meter and UTC day (int_ghg__meter_days): activity_type
-- metered_<carrier> (electricity, natural_gas, district_heat, onsite_renewable_electricity). Days
-- with a reading in an unknown unit or of an unconfigured meter are kept and flagged (the build
-- fails on them), never dropped.

with

meter_days as (

    select * from {{ ref('int_ghg__meter_days') }}
    where consumption_kwh is not null
        or unknown_unit_readings > 0
        or unconfigured_readings > 0

),

fuels as (

    select * from {{ ref('ghg_fuels') }}

),

final as (

    select
        {{ surrogate_key(["'meters__interval_readings'", 'meter_days.tenant_id', 'meter_days.meter_id', 'meter_days.consumption_date']) }}
            as activity_id,
        'meters__interval_readings' as activity_source,
        meter_days.tenant_id || '/' || meter_days.meter_id || '/'
            || cast(meter_days.consumption_date as {{ dbt.type_string() }}) as activity_reference,
        'metered_' || coalesce(meter_days.energy_carrier, 'unknown') as activity_type,
        meter_days.tenant_id,
        meter_days.site_id,
        meter_days.consumption_date as activity_date,
        meter_days.meter_id as activity_item,
        fuels.fuel as fuel_key,
        fuels.desnz_level_1,
        fuels.desnz_level_2,
        fuels.desnz_level_3,
        fuels.desnz_wtt_level_1,
        fuels.desnz_wtt_level_2,
        fuels.desnz_wtt_level_3,
        case
            when meter_days.energy_carrier = 'onsite_renewable_electricity' then 'renewable'
            else fuels.energy_source
        end as energy_source,
        fuels.esrs_fuel_category,
        meter_days.energy_carrier,
        meter_days.consumption_kwh as quantity,
        'kWh' as unit,
        'kWh' as unit_code,
        'energy' as dimension,
        case when meter_days.energy_carrier = 'natural_gas' then meter_days.calorific_basis end as calorific_basis,
        case
            when meter_days.unknown_unit_readings > 0 then 'unknown_unit'
            when meter_days.energy_carrier = 'natural_gas' and meter_days.calorific_basis is null
                then 'calorific_basis_missing'
            else 'known'
        end as unit_status,
        case
            when meter_days.unconfigured_readings > 0
                or meter_days.energy_carrier not in (
                    'electricity', 'natural_gas', 'district_heat', 'onsite_renewable_electricity'
                )
                then 'unknown_meter'
            else 'known'
        end as code_status,
        case when meter_days.consumption_kwh is null then 'missing' else 'present' end as quantity_status,
        meter_days._batch_id,
        meter_days._source_row,
        meter_days._ingested_at

    from meter_days
    left join fuels
        on meter_days.energy_carrier = 'natural_gas'
        and fuels.fuel = 'natural gas'

)

select * from final
