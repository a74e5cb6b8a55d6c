-- Business trips as activities: passenger.km for air / rail / bus, km for car and taxi, room.night
-- for hotel (nights x travellers). A flight without distance_km gets the great-circle distance
-- between its IATA airports (seed ghg_airports, haversine with the IUGG mean Earth radius 6371.0088
-- km, rounded to the metre); DESNZ's flight factors include the 8% uplift for routing, so none is
-- added. Haul: < 500 km domestic, < 3700 km short-haul, else long-haul (vars ghg_air_*_max_km).
-- factor_variant: '<haul>|<cabin class>' for flights (domestic: average), the country for hotels.

{%- set air_domestic_max_km = var('ghg_air_domestic_max_km', 500) %}
{%- set air_short_haul_max_km = var('ghg_air_short_haul_max_km', 3700) %}
{#- IUGG mean Earth radius R1 (km), for great-circle distances between airports -#}
{%- set earth_radius_km = var('ghg_earth_radius_km', '6371.0088') %}
{%- set units = {'air': 'passenger.km', 'rail': 'passenger.km', 'bus': 'passenger.km', 'car': 'km', 'taxi': 'km', 'hotel': 'room.night'} %}
{%- set dimensions = {'passenger.km': 'passenger_distance', 'km': 'distance', 'room.night': 'room_night'} %}

with

trips as (

    select * from {{ ref('stg_travel__business_travel') }}

),

airports as (

    select
        upper(trim(iata)) as iata,
        cast(latitude as double precision) as latitude,
        cast(longitude as double precision) as longitude

    from {{ ref('ghg_airports') }}

),

great_circles as (

    select
        trips.*,
        {{ to_decimal('round(' ~ to_decimal(
            '2 * ' ~ earth_radius_km ~ ' * asin(sqrt('
            ~ 'power(sin(radians(destinations.latitude - origins.latitude) / 2), 2)'
            ~ ' + cos(radians(origins.latitude)) * cos(radians(destinations.latitude))'
            ~ ' * power(sin(radians(destinations.longitude - origins.longitude) / 2), 2)))'
        ) ~ ', 3)') }} as great_circle_km

    from trips
    left join airports as origins
        on trips.mode = 'air'
        and upper(trips.origin) = origins.iata
    left join airports as destinations
        on trips.mode = 'air'
        and upper(trips.destination) = destinations.iata

),

distances as (

    select
        great_circles.*,
        coalesce(distance_km, great_circle_km) as travel_km,
        case
            when mode = 'air' and coalesce(distance_km, great_circle_km) < {{ air_domestic_max_km }} then 'domestic'
            when mode = 'air' and coalesce(distance_km, great_circle_km) < {{ air_short_haul_max_km }}
                then 'short_haul'
            when mode = 'air' and coalesce(distance_km, great_circle_km) is not null then 'long_haul'
        end as haul

    from great_circles

),

final as (

    select
        {{ surrogate_key(["'travel__business_travel'", 'tenant_id', 'trip_id']) }} as activity_id,
        'travel__business_travel' as activity_source,
        tenant_id || '/' || trip_id as activity_reference,
        'business_travel' as activity_type,
        tenant_id,
        trip_date as activity_date,
        mode as activity_item,
        mode,
        case
            when mode = 'air' then haul || '|' || case
                when haul = 'domestic' then 'average'
                else coalesce(cabin_class, 'average')
            end
            when mode = 'hotel' then destination
        end as factor_variant,
        {{ to_decimal("case
            when mode in ('air', 'rail', 'bus') then " ~ ghg_multiply('travel_km', 'passengers') ~ "
            when mode in ('car', 'taxi') then travel_km
            when mode = 'hotel' then " ~ ghg_multiply('nights', 'passengers') ~ "
        end") }} as quantity,
        {%- for column in ['unit', 'unit_code'] %}
        case mode {% for mode, unit in units.items() %}when '{{ mode }}' then '{{ unit }}' {% endfor %}end as {{ column }},
        {%- endfor %}
        case mode {% for mode, unit in units.items() %}when '{{ mode }}' then '{{ dimensions[unit] }}' {% endfor %}end
            as dimension,
        'known' as unit_status,
        case when mode in ('{{ units.keys() | join("', '") }}') then 'known' else 'unknown_mode' end as code_status,
        case
            when mode = 'hotel' and nights is null then 'missing'
            when mode <> 'hotel' and travel_km is null then 'missing'
            else 'present'
        end as quantity_status,
        _batch_id,
        _source_row,
        _ingested_at

    from distances

)

select * from final
