-- Purchased freight legs, one row per (tenant, leg_id), latest received version; mode lower-case.

with

source as (

    select * from {{ source('raw', 'logistics__freight_legs') }}

),

renamed as (

    select
        tenant_id,
        leg_id,
        cast(shipment_date as date) as shipment_date,
        {{ ghg_normalise('mode') }} as mode,
        {{ to_decimal('mass_tonnes') }} as mass_tonnes,
        {{ to_decimal('distance_km') }} as distance_km,
        {{ provenance_columns() }}

    from source

),

ranked as (

    {{ latest_per_key(
        'renamed',
        partition_by=['tenant_id', 'leg_id'],
                rank_column='version_rank'
    ) }}

),

final as (

    select
        tenant_id,
        leg_id,
        shipment_date,
        mode,
        mass_tonnes,
        distance_km,
        _batch_id,
        _source_uri,
        _source_row,
        _row_sha256,
        _ingested_at

    from ranked

)

select * from final
