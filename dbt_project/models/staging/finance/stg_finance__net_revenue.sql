-- Net revenue per tenant and fiscal year (the denominator of the ESRS E1-6 GHG intensity, E1 §53),
-- one row per (tenant, fiscal_year): a restated figure (later load) replaces the earlier one.
-- Currency upper-case (ISO 4217).

with

source as (

    select * from {{ source('raw', 'finance__net_revenue') }}

),

renamed as (

    select
        tenant_id,
        cast(fiscal_year as integer) as fiscal_year,
        {{ to_decimal('net_revenue') }} as net_revenue,
        upper(trim(currency)) as currency,
        {{ provenance_columns() }}

    from source

),

ranked as (

    {{ latest_per_key(
        'renamed',
        partition_by=['tenant_id', 'fiscal_year'],
                rank_column='version_rank'
    ) }}

),

final as (

    select
        tenant_id,
        fiscal_year,
        net_revenue,
        currency,
        _batch_id,
        _source_uri,
        _source_row,
        _row_sha256,
        _ingested_at

    from ranked

)

select * from final
