-- Scope 3 category 4 requests: purchased freight legs (tonne.km) at the DESNZ Freighting goods
-- factor that ghg_activity_factor_map names for the mode (air freight with radiative forcing unless
-- var ghg_air_travel_with_radiative_forcing is false).

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

    {{ ghg_factor_map_requests('freight', 4, 'freight_tonne_km') }}

)

select * from final
