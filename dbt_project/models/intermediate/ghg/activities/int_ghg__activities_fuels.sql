-- Fuel records as activities: stationary_fuel, or mobile_fuel when vehicle_id is set.
-- activity_date: the midpoint of period_start..period_end (rounded down), so that a bill spanning
-- New Year falls in the year holding most of it.
-- unit_status: the received unit resolved through the unit_conversions_ghg seed; an energy quantity
-- needs its calorific basis (in the unit, e.g. 'kWh (Gross CV)', or in calorific_basis) and never a
-- contradictory one: unknown_unit / calorific_basis_missing / calorific_basis_conflict otherwise.

with

fuel_records as (

    select * from {{ ref('stg_fuels__fuel_records') }}

),

fuels as (

    select * from {{ ref('ghg_fuels') }}

),

units as (

    select * from {{ ref('unit_conversions_ghg') }}

),

resolved as (

    select
        fuel_records.*,
        fuels.fuel as fuel_key,
        fuels.desnz_level_1,
        fuels.desnz_level_2,
        fuels.desnz_level_3,
        fuels.desnz_wtt_level_1,
        fuels.desnz_wtt_level_2,
        fuels.desnz_wtt_level_3,
        fuels.energy_source,
        fuels.esrs_fuel_category,
        units.unit_code,
        units.dimension,
        nullif(units.calorific_basis, '') as unit_calorific_basis

    from fuel_records
    left join fuels
        on fuel_records.fuel_normalised = fuels.fuel
    left join units
        on fuel_records.unit_normalised = units.unit

),

final as (

    select
        {{ surrogate_key(["'fuels__fuel_records'", 'tenant_id', 'record_id']) }} as activity_id,
        'fuels__fuel_records' as activity_source,
        tenant_id || '/' || record_id as activity_reference,
        case when vehicle_id is not null then 'mobile_fuel' else 'stationary_fuel' end as activity_type,
        tenant_id,
        site_id,
        case
            when period_end is null or period_end < period_start then period_start
            else cast({{ dbt.dateadd(
                'day',
                'cast(floor(' ~ dbt.datediff('period_start', 'period_end', 'day') ~ ' / 2.0) as integer)',
                'period_start'
            ) }} as date)
        end as activity_date,
        fuel as activity_item,
        fuel_key,
        desnz_level_1,
        desnz_level_2,
        desnz_level_3,
        desnz_wtt_level_1,
        desnz_wtt_level_2,
        desnz_wtt_level_3,
        energy_source,
        esrs_fuel_category,
        quantity,
        unit,
        unit_code,
        dimension,
        case when dimension = 'energy' then coalesce(unit_calorific_basis, calorific_basis) end as calorific_basis,
        case
            when unit_code is null then 'unknown_unit'
            when dimension = 'energy' and unit_calorific_basis is not null and calorific_basis is not null
                and unit_calorific_basis <> calorific_basis then 'calorific_basis_conflict'
            when dimension = 'energy' and coalesce(unit_calorific_basis, calorific_basis) is null
                then 'calorific_basis_missing'
            else 'known'
        end as unit_status,
        case when fuel_key is null then 'unknown_fuel' else 'known' end as code_status,
        case when quantity is null then 'missing' else 'present' end as quantity_status,
        _batch_id,
        _source_row,
        _ingested_at

    from resolved

)

select * from final
