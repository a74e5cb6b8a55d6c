-- Contractual instruments for purchased electricity (Scope 2 market-based method, GHG Protocol
-- Scope 2 Guidance): one row per (tenant, instrument_id), latest received version.
-- instrument_type normalised: go / rego / ppa / supplier_mix. is_renewable: energy attribute
-- certificates and PPAs (GO, REGO, PPA) convey renewable generation; their emission factor is 0 when
-- none is given. A supplier mix without a factor conveys nothing (factor NULL: not usable).

with

source as (

    select * from {{ source('raw', 'energy__contractual_instruments') }}

),

renamed as (

    select
        tenant_id,
        instrument_id,
        site_id,
        cast(period_start as date) as period_start,
        cast(period_end as date) as period_end,
        replace(replace({{ ghg_normalise('instrument_type') }}, ' ', '_'), '-', '_') as instrument_type,
        {{ to_decimal('mwh') }} as mwh,
        {{ to_decimal('emission_factor_kg_per_kwh') }} as emission_factor_kg_per_kwh,
        {{ provenance_columns() }}

    from source

),

ranked as (

    {{ latest_per_key(
        'renamed',
        partition_by=['tenant_id', 'instrument_id'],
                rank_column='version_rank'
    ) }}

),

final as (

    select
        tenant_id,
        instrument_id,
        site_id,
        period_start,
        period_end,
        instrument_type,
        instrument_type in ('go', 'rego', 'ppa') as is_renewable,
        mwh,
        case
            when emission_factor_kg_per_kwh is not null then emission_factor_kg_per_kwh
            when instrument_type in ('go', 'rego', 'ppa') then {{ to_decimal('0') }}
        end as emission_factor_kg_per_kwh,
        _batch_id,
        _source_uri,
        _source_row,
        _row_sha256,
        _ingested_at

    from ranked

)

select * from final
