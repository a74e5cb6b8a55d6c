-- Fuel records (purchases or metered consumption of a fuel per site and period), one row per
-- (tenant, record_id): a re-sent record replaces the earlier version (latest received wins).
-- fuel and unit are kept as received and also normalised (lower-case, trimmed) for the seed
-- lookups of int_ghg__activities; calorific_basis is normalised to gross / net (GCV/HHV, NCV/LHV).
-- vehicle_id set: the fuel went into a vehicle (mobile combustion), else stationary combustion.

with

source as (

    select * from {{ source('raw', 'fuels__fuel_records') }}

),

renamed as (

    select
        tenant_id,
        record_id,
        site_id,
        nullif(vehicle_id, '') as vehicle_id,
        cast(period_start as date) as period_start,
        cast(period_end as date) as period_end,
        trim(fuel) as fuel,
        {{ ghg_normalise('fuel') }} as fuel_normalised,
        {{ to_decimal('quantity') }} as quantity,
        trim(unit) as unit,
        {{ ghg_normalise('unit') }} as unit_normalised,
        {{ ghg_calorific_basis('calorific_basis') }} as calorific_basis,
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
        vehicle_id,
        period_start,
        period_end,
        fuel,
        fuel_normalised,
        quantity,
        unit,
        unit_normalised,
        calorific_basis,
        _batch_id,
        _source_uri,
        _source_row,
        _row_sha256,
        _ingested_at

    from ranked

)

select * from final
