-- Every activity record of the GHG inventory in one shape, one row per record:
--   fuels__fuel_records         stationary_fuel / mobile_fuel (vehicle_id set)
--   fuels__refrigerant_records  refrigerant (kg topped up)
--   meters__interval_readings   metered_<carrier> per meter and UTC day (int_ghg__meter_days):
--                               metered_electricity, metered_natural_gas, metered_district_heat,
--                               metered_onsite_renewable_electricity
--   travel__business_travel     business_travel (passenger.km for air / rail / bus, km for car and
--                               taxi, room.night for hotel = nights x travellers). A flight without
--                               distance_km gets the great-circle distance between its IATA airports
--                               (seed ghg_airports, haversine with the IUGG mean Earth radius
--                               6371.0088 km, rounded to the metre); DESNZ's flight factors include
--                               the 8% uplift for routing, so none is added. Haul: < 500 km domestic,
--                               < 3700 km short-haul, else long-haul (vars ghg_air_*_max_km).
--   logistics__freight_legs     freight (tonne.km = tonnes x km)
--   hr__headcount               headcount (employees in the month)
-- activity_date: the date of the record; for a fuel period the midpoint of period_start..period_end
-- (rounded down), so that a bill spanning New Year falls in the year holding most of it.
--
-- Units (unit_status, the loud failure): the received unit is resolved through the
-- unit_conversions_ghg seed (lower-cased, trimmed). 'known' only when the seed knows it and, for an
-- energy quantity of a fuel (kWh, GJ, therms ... of gas, oil ...), its calorific basis is stated
-- (in the unit, e.g. 'kWh (Gross CV)', or in calorific_basis) and not contradictory: a gross-CV
-- quantity is never treated as a net-CV one or vice versa. Otherwise unknown_unit /
-- calorific_basis_missing / calorific_basis_conflict, and the test assert_ghg_activity_units_known
-- (severity error) fails the build, naming the units. Electricity and heat kWh carry no basis.
-- code_status: the fuel (ghg_fuels), refrigerant (ghg_gwp_values), travel or freight mode, or meter
-- configuration (ghg_meters) is known (test assert_ghg_activity_codes_known, error).
-- quantity_status: 'missing' when the record has no usable quantity (e.g. a flight without
-- distance): such records get no emissions and a warning test lists them.

{%- set air_domestic_max_km = var('ghg_air_domestic_max_km', 500) %}
{%- set air_short_haul_max_km = var('ghg_air_short_haul_max_km', 3700) %}
{#- IUGG mean Earth radius R1 (km), for great-circle distances between airports -#}
{%- set earth_radius_km = var('ghg_earth_radius_km', '6371.0088') %}

with

units as (

    select * from {{ ref('unit_conversions_ghg') }}

),

fuels as (

    select * from {{ ref('ghg_fuels') }}

),

refrigerants as (

    select * from {{ ref('ghg_gwp_values') }}
    where coalesce(refrigerant_key, '') <> ''

),

fuel_records as (

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

    from {{ ref('stg_fuels__fuel_records') }} as fuel_records
    left join fuels
        on fuel_records.fuel_normalised = fuels.fuel
    left join units
        on fuel_records.unit_normalised = units.unit

),

fuel_activities as (

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
        cast(null as {{ dbt.type_string() }}) as energy_carrier,
        cast(null as {{ dbt.type_string() }}) as mode,
        cast(null as {{ dbt.type_string() }}) as factor_variant,
        quantity,
        unit,
        unit_code,
        dimension,
        case
            when dimension = 'energy' then coalesce(unit_calorific_basis, calorific_basis)
        end as calorific_basis,
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

    from fuel_records

),

refrigerant_activities as (

    select
        {{ surrogate_key(["'fuels__refrigerant_records'", 'records.tenant_id', 'records.record_id']) }} as activity_id,
        'fuels__refrigerant_records' as activity_source,
        records.tenant_id || '/' || records.record_id as activity_reference,
        'refrigerant' as activity_type,
        records.tenant_id,
        records.site_id,
        records.record_date as activity_date,
        records.refrigerant as activity_item,
        refrigerants.gas_key as fuel_key,
        'Refrigerant & other' as desnz_level_1,
        refrigerants.desnz_level_2,
        refrigerants.desnz_name as desnz_level_3,
        cast(null as {{ dbt.type_string() }}) as desnz_wtt_level_1,
        cast(null as {{ dbt.type_string() }}) as desnz_wtt_level_2,
        cast(null as {{ dbt.type_string() }}) as desnz_wtt_level_3,
        cast(null as {{ dbt.type_string() }}) as energy_source,
        cast(null as {{ dbt.type_string() }}) as esrs_fuel_category,
        cast(null as {{ dbt.type_string() }}) as energy_carrier,
        cast(null as {{ dbt.type_string() }}) as mode,
        cast(null as {{ dbt.type_string() }}) as factor_variant,
        records.topped_up_kg as quantity,
        'kg' as unit,
        'kg' as unit_code,
        'mass' as dimension,
        cast(null as {{ dbt.type_string() }}) as calorific_basis,
        'known' as unit_status,
        case when refrigerants.gas_key is null then 'unknown_refrigerant' else 'known' end as code_status,
        case when records.topped_up_kg is null then 'missing' else 'present' end as quantity_status,
        records._batch_id,
        records._source_row,
        records._ingested_at

    from {{ ref('stg_fuels__refrigerant_records') }} as records
    left join refrigerants
        on records.refrigerant_key = refrigerants.refrigerant_key

),

meter_activities as (

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
        cast(null as {{ dbt.type_string() }}) as mode,
        cast(null as {{ dbt.type_string() }}) as factor_variant,
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

    from {{ ref('int_ghg__meter_days') }} as meter_days
    left join fuels
        on meter_days.energy_carrier = 'natural_gas'
        and fuels.fuel = 'natural gas'
    where meter_days.consumption_kwh is not null
        or meter_days.unknown_unit_readings > 0
        or meter_days.unconfigured_readings > 0

),

airports as (

    select
        upper(trim(iata)) as iata,
        cast(latitude as double precision) as latitude,
        cast(longitude as double precision) as longitude

    from {{ ref('ghg_airports') }}

),

trips as (

    select
        trips.*,
        {{ to_decimal('round(' ~ to_decimal(
            '2 * ' ~ earth_radius_km ~ ' * asin(sqrt('
            ~ 'power(sin(radians(destinations.latitude - origins.latitude) / 2), 2)'
            ~ ' + cos(radians(origins.latitude)) * cos(radians(destinations.latitude))'
            ~ ' * power(sin(radians(destinations.longitude - origins.longitude) / 2), 2)))'
        ) ~ ', 3)') }} as great_circle_km

    from {{ ref('stg_travel__business_travel') }} as trips
    left join airports as origins
        on trips.mode = 'air'
        and upper(trips.origin) = origins.iata
    left join airports as destinations
        on trips.mode = 'air'
        and upper(trips.destination) = destinations.iata

),

trip_distances as (

    select
        trips.*,
        coalesce(trips.distance_km, trips.great_circle_km) as travel_km,
        case
            when trips.mode = 'air' and coalesce(trips.distance_km, trips.great_circle_km) < {{ air_domestic_max_km }}
                then 'domestic'
            when trips.mode = 'air' and coalesce(trips.distance_km, trips.great_circle_km) < {{ air_short_haul_max_km }}
                then 'short_haul'
            when trips.mode = 'air' and coalesce(trips.distance_km, trips.great_circle_km) is not null then 'long_haul'
        end as haul

    from trips

),

travel_activities as (

    select
        {{ surrogate_key(["'travel__business_travel'", 'tenant_id', 'trip_id']) }} as activity_id,
        'travel__business_travel' as activity_source,
        tenant_id || '/' || trip_id as activity_reference,
        'business_travel' as activity_type,
        tenant_id,
        cast(null as {{ dbt.type_string() }}) as site_id,
        trip_date as activity_date,
        mode as activity_item,
        cast(null as {{ dbt.type_string() }}) as fuel_key,
        cast(null as {{ dbt.type_string() }}) as desnz_level_1,
        cast(null as {{ dbt.type_string() }}) as desnz_level_2,
        cast(null as {{ dbt.type_string() }}) as desnz_level_3,
        cast(null as {{ dbt.type_string() }}) as desnz_wtt_level_1,
        cast(null as {{ dbt.type_string() }}) as desnz_wtt_level_2,
        cast(null as {{ dbt.type_string() }}) as desnz_wtt_level_3,
        cast(null as {{ dbt.type_string() }}) as energy_source,
        cast(null as {{ dbt.type_string() }}) as esrs_fuel_category,
        cast(null as {{ dbt.type_string() }}) as energy_carrier,
        mode,
        case
            when mode = 'air' then haul || '|' || case
                when haul = 'domestic' then 'average'
                else coalesce(cabin_class, 'average')
            end
            when mode = 'hotel' then destination
        end as factor_variant,
        case
            when mode in ('air', 'rail', 'bus') then {{ ghg_multiply('travel_km', 'passengers') }}
            when mode in ('car', 'taxi') then travel_km
            when mode = 'hotel' then {{ ghg_multiply('nights', 'passengers') }}
        end as quantity,
        case
            when mode in ('air', 'rail', 'bus') then 'passenger.km'
            when mode in ('car', 'taxi') then 'km'
            when mode = 'hotel' then 'room.night'
        end as unit,
        case
            when mode in ('air', 'rail', 'bus') then 'passenger.km'
            when mode in ('car', 'taxi') then 'km'
            when mode = 'hotel' then 'room.night'
        end as unit_code,
        case
            when mode in ('air', 'rail', 'bus') then 'passenger_distance'
            when mode in ('car', 'taxi') then 'distance'
            when mode = 'hotel' then 'room_night'
        end as dimension,
        cast(null as {{ dbt.type_string() }}) as calorific_basis,
        'known' as unit_status,
        case
            when mode in ('air', 'rail', 'bus', 'car', 'taxi', 'hotel') then 'known'
            else 'unknown_mode'
        end as code_status,
        case
            when mode = 'hotel' and nights is null then 'missing'
            when mode <> 'hotel' and travel_km is null then 'missing'
            else 'present'
        end as quantity_status,
        _batch_id,
        _source_row,
        _ingested_at

    from trip_distances

),

freight_activities as (

    select
        {{ surrogate_key(["'logistics__freight_legs'", 'tenant_id', 'leg_id']) }} as activity_id,
        'logistics__freight_legs' as activity_source,
        tenant_id || '/' || leg_id as activity_reference,
        'freight' as activity_type,
        tenant_id,
        cast(null as {{ dbt.type_string() }}) as site_id,
        shipment_date as activity_date,
        mode as activity_item,
        cast(null as {{ dbt.type_string() }}) as fuel_key,
        cast(null as {{ dbt.type_string() }}) as desnz_level_1,
        cast(null as {{ dbt.type_string() }}) as desnz_level_2,
        cast(null as {{ dbt.type_string() }}) as desnz_level_3,
        cast(null as {{ dbt.type_string() }}) as desnz_wtt_level_1,
        cast(null as {{ dbt.type_string() }}) as desnz_wtt_level_2,
        cast(null as {{ dbt.type_string() }}) as desnz_wtt_level_3,
        cast(null as {{ dbt.type_string() }}) as energy_source,
        cast(null as {{ dbt.type_string() }}) as esrs_fuel_category,
        cast(null as {{ dbt.type_string() }}) as energy_carrier,
        mode,
        case
            when mode = 'air' and distance_km < {{ air_domestic_max_km }} then 'domestic'
            when mode = 'air' and distance_km < {{ air_short_haul_max_km }} then 'short_haul'
            when mode = 'air' and distance_km is not null then 'long_haul'
        end as factor_variant,
        {{ ghg_multiply('mass_tonnes', 'distance_km') }} as quantity,
        'tonne.km' as unit,
        'tonne.km' as unit_code,
        'freight_distance' as dimension,
        cast(null as {{ dbt.type_string() }}) as calorific_basis,
        'known' as unit_status,
        case when mode in ('road', 'rail', 'sea', 'air') then 'known' else 'unknown_mode' end as code_status,
        case when mass_tonnes is null or distance_km is null then 'missing' else 'present' end as quantity_status,
        _batch_id,
        _source_row,
        _ingested_at

    from {{ ref('stg_logistics__freight_legs') }}

),

headcount_activities as (

    select
        {{ surrogate_key(["'hr__headcount'", 'tenant_id', 'period', 'site_id']) }} as activity_id,
        'hr__headcount' as activity_source,
        tenant_id || '/' || site_id || '/' || cast(period as {{ dbt.type_string() }}) as activity_reference,
        'headcount' as activity_type,
        tenant_id,
        site_id,
        period as activity_date,
        'employees' as activity_item,
        cast(null as {{ dbt.type_string() }}) as fuel_key,
        cast(null as {{ dbt.type_string() }}) as desnz_level_1,
        cast(null as {{ dbt.type_string() }}) as desnz_level_2,
        cast(null as {{ dbt.type_string() }}) as desnz_level_3,
        cast(null as {{ dbt.type_string() }}) as desnz_wtt_level_1,
        cast(null as {{ dbt.type_string() }}) as desnz_wtt_level_2,
        cast(null as {{ dbt.type_string() }}) as desnz_wtt_level_3,
        cast(null as {{ dbt.type_string() }}) as energy_source,
        cast(null as {{ dbt.type_string() }}) as esrs_fuel_category,
        cast(null as {{ dbt.type_string() }}) as energy_carrier,
        cast(null as {{ dbt.type_string() }}) as mode,
        cast(null as {{ dbt.type_string() }}) as factor_variant,
        {{ to_decimal('headcount') }} as quantity,
        'employee.month' as unit,
        'employee.month' as unit_code,
        'headcount' as dimension,
        cast(null as {{ dbt.type_string() }}) as calorific_basis,
        'known' as unit_status,
        'known' as code_status,
        case when headcount is null then 'missing' else 'present' end as quantity_status,
        _batch_id,
        _source_row,
        _ingested_at

    from {{ ref('stg_hr__headcount') }}

),

unioned as (

    select * from fuel_activities
    union all
    select * from refrigerant_activities
    union all
    select * from meter_activities
    union all
    select * from travel_activities
    union all
    select * from freight_activities
    union all
    select * from headcount_activities

),

facilities as (

    select
        trim(tenant_id) as tenant_id,
        trim(site_id) as site_id,
        upper(trim(country_code)) as country_code,
        upper(trim(country_code_iso3)) as country_code_iso3,
        nullif(upper(trim(grid_region)), '') as grid_region

    from {{ ref('facilities') }}

),

final as (

    select
        unioned.activity_id,
        unioned.activity_source,
        unioned.activity_reference,
        unioned.activity_type,
        unioned.tenant_id,
        case
            when unioned.site_id is not null then {{ surrogate_key(['unioned.tenant_id', 'unioned.site_id']) }}
        end as facility_id,
        unioned.site_id,
        facilities.country_code,
        facilities.country_code_iso3,
        facilities.grid_region,
        unioned.activity_date,
        {{ year_of('unioned.activity_date') }} as reporting_year,
        unioned.activity_item,
        unioned.fuel_key,
        unioned.desnz_level_1,
        unioned.desnz_level_2,
        unioned.desnz_level_3,
        unioned.desnz_wtt_level_1,
        unioned.desnz_wtt_level_2,
        unioned.desnz_wtt_level_3,
        unioned.energy_source,
        unioned.esrs_fuel_category,
        unioned.energy_carrier,
        unioned.mode,
        unioned.factor_variant,
        {{ to_decimal('unioned.quantity') }} as quantity,
        unioned.unit,
        unioned.unit_code,
        unioned.dimension,
        unioned.calorific_basis,
        unioned.unit_status,
        unioned.code_status,
        unioned.quantity_status,
        unioned._batch_id,
        unioned._source_row,
        unioned._ingested_at

    from unioned
    left join facilities
        on unioned.tenant_id = facilities.tenant_id
        and unioned.site_id = facilities.site_id

)

select * from final
