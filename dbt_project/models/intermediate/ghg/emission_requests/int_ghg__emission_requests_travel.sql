-- Scope 3 category 6 requests: flights, rail, bus, car, taxi (passenger.km or km) and hotel nights,
-- at the DESNZ Business travel- air / land or Hotel stay factor that ghg_activity_factor_map names
-- for (mode, variant): flights by haul and cabin class, with radiative forcing unless var
-- ghg_air_travel_with_radiative_forcing is false; hotels by the DESNZ country name.

{%- set rf = 'with_rf' if var('ghg_air_travel_with_radiative_forcing', true) else 'without_rf' %}

with

activities as (

    select * from {{ ref('int_ghg__activities') }}

),

factor_map as (

    select * from {{ ref('ghg_activity_factor_map') }}
    where coalesce(radiative_forcing, '') in ('', '{{ rf }}')

),

final as (

    {{ ghg_factor_map_requests('business_travel', 6, 'business_travel_distance') }}

)

select * from final
