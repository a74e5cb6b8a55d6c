-- The versioned CBAM benchmarks (publication, CN code, route, variant) that the certificate
-- obligation's lines point to through benchmark_id (docs/architecture.md, "Provenance"):
-- Implementing Regulation (EU) 2025/2620, Annex, column B.

with

benchmarks as (

    select * from {{ ref('stg_cbam__benchmarks') }}

),

final as (

    select
        benchmark_id,
        tenant_id,
        publication,
        sector_published,
        cn_code,
        route_code,
        benchmark_variant,
        benchmark,
        benchmark_published,
        _batch_id,
        _source_row,
        _row_sha256

    from benchmarks

)

select * from final
