-- Business trips, one row per (tenant, trip_id), latest received version. mode lower-case;
-- cabin_class normalised to average / economy / premium_economy / business / first ('Premium
-- Economy' -> premium_economy; empty -> NULL); passengers defaults to 1 when not given.

with

source as (

    select * from {{ source('raw', 'travel__business_travel') }}

),

renamed as (

    select
        tenant_id,
        trip_id,
        employee_id,
        cast(trip_date as date) as trip_date,
        {{ ghg_normalise('mode') }} as mode,
        nullif(trim(origin), '') as origin,
        nullif(trim(destination), '') as destination,
        {{ to_decimal('distance_km') }} as distance_km,
        coalesce(cast(passengers as integer), 1) as passengers,
        nullif(replace(replace({{ ghg_normalise('cabin_class') }}, ' ', '_'), '-', '_'), '') as cabin_class,
        cast(nights as integer) as nights,
        {{ provenance_columns() }}

    from source

),

ranked as (

    {{ latest_per_key(
        'renamed',
        partition_by=['tenant_id', 'trip_id'],
                rank_column='version_rank'
    ) }}

),

final as (

    select
        tenant_id,
        trip_id,
        employee_id,
        trip_date,
        mode,
        origin,
        destination,
        distance_km,
        passengers,
        cabin_class,
        nights,
        _batch_id,
        _source_uri,
        _source_row,
        _row_sha256,
        _ingested_at

    from ranked

)

select * from final
