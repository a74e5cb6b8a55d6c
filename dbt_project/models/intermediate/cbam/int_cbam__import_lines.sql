-- Customs import lines of CBAM goods, one row per (tenant_id, declarant_eori, declaration_id,
-- declaration_line): a corrected re-send replaces the earlier version (latest _ingested_at wins).

with

shipments as (

    select * from {{ ref('stg_customs__cbam_shipments') }}

),

keyed_versions as (

    select
        {{ surrogate_key(['tenant_id', 'declarant_eori', 'declaration_id', 'declaration_line']) }}
            as cbam_import_key,
        shipments.*

    from shipments

),

final as (

    -- a re-sent line replaces the earlier version (the staging dedupe rule, latest_per_key)
    {{ latest_per_key(
        'keyed_versions',
        partition_by=['tenant_id', 'declarant_eori', 'declaration_id', 'declaration_line'],
        rank_column='version_recency'
    ) }}

)

select * from final
