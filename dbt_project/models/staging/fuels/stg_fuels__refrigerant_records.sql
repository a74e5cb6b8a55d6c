-- Refrigerant records per site: kg topped up (the screening method's leaked quantity) and kg
-- recovered, one row per (tenant, record_id), latest received version. refrigerant_key: the ASHRAE
-- designation without blanks or hyphens, upper-case ('R-410A' -> 'R410A'), the key of the
-- ghg_gwp_values seed.

with

source as (

    select * from {{ source('raw', 'fuels__refrigerant_records') }}

),

renamed as (

    select
        tenant_id,
        record_id,
        site_id,
        cast(record_date as date) as record_date,
        trim(refrigerant) as refrigerant,
        {{ ghg_refrigerant_key('refrigerant') }} as refrigerant_key,
        {{ to_decimal('topped_up_kg') }} as topped_up_kg,
        {{ to_decimal('recovered_kg') }} as recovered_kg,
        {{ provenance_columns() }}

    from source

),

ranked as (

    {{ latest_per_key(
        'renamed',
        partition_by=['tenant_id', 'record_id'],
                rank_column='version_rank'
    ) }}

),

final as (

    select
        tenant_id,
        record_id,
        site_id,
        record_date,
        refrigerant,
        refrigerant_key,
        topped_up_kg,
        recovered_kg,
        _batch_id,
        _source_uri,
        _source_row,
        _row_sha256,
        _ingested_at

    from ranked

)

select * from final
