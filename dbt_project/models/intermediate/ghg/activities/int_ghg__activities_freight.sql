-- Purchased freight legs as activities: tonne.km = tonnes x km. factor_variant: the haul of an air
-- leg (< 500 km domestic, < 3700 km short-haul, else long-haul; vars ghg_air_*_max_km).

{%- set air_domestic_max_km = var('ghg_air_domestic_max_km', 500) %}
{%- set air_short_haul_max_km = var('ghg_air_short_haul_max_km', 3700) %}

with

legs as (

    select * from {{ ref('stg_logistics__freight_legs') }}

),

final as (

    select
        {{ surrogate_key(["'logistics__freight_legs'", 'tenant_id', 'leg_id']) }} as activity_id,
        'logistics__freight_legs' as activity_source,
        tenant_id || '/' || leg_id as activity_reference,
        'freight' as activity_type,
        tenant_id,
        shipment_date as activity_date,
        mode as activity_item,
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
        'known' as unit_status,
        case when mode in ('road', 'rail', 'sea', 'air') then 'known' else 'unknown_mode' end as code_status,
        case when mass_tonnes is null or distance_km is null then 'missing' else 'present' end as quantity_status,
        _batch_id,
        _source_row,
        _ingested_at

    from legs

)

select * from final
