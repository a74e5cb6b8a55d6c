-- The CBAM benchmark of each import line of a CBAM good (Implementing Regulation (EU) 2025/2620,
-- Annex, column B), for the free allocation adjustment of Article 31 of Regulation (EU) 2023/956.
-- A line's production route is the route of the default value row its emissions use
-- (dim_cbam_default_value.production_route: the "underlying production route determining the CBAM
-- benchmark" of IR (EU) 2025/2621); a line on actual values has none.
-- Candidates: the benchmarks of the line's 8-digit CN code whose route is the line's, or either
-- route unknown. benchmark_match: 'matched' (exactly one candidate), 'none', 'several' (a route
-- or a numbered variant the line does not tell apart): only 'matched' gives a benchmark.

with

imports as (

    select * from {{ ref('fct_cbam_imports') }}
    where is_cbam_good

),

default_values as (

    select * from {{ ref('dim_cbam_default_value') }}

),

benchmarks as (

    select * from {{ ref('dim_cbam_benchmark') }}

),

routed as (

    select
        imports.cbam_import_key,
        imports.tenant_id,
        imports.cn_code,
        default_values.production_route

    from imports
    left join default_values
        on imports.default_value_id = default_values.default_value_id

),

candidates as (

    select
        routed.cbam_import_key,
        routed.production_route,
        count(benchmarks.benchmark_id) as candidate_count,
        max(benchmarks.benchmark_id) as benchmark_id,
        max(benchmarks.benchmark) as benchmark

    from routed
    left join benchmarks
        on routed.cn_code = benchmarks.cn_code
        and benchmarks.tenant_id in ('global', routed.tenant_id)
        and (
            benchmarks.route_code is null
            or routed.production_route is null
            or benchmarks.route_code = routed.production_route
        )
    group by routed.cbam_import_key, routed.production_route

),

final as (

    select
        cbam_import_key,
        production_route,
        cast(candidate_count as integer) as benchmark_candidates,
        case
            when candidate_count = 0 then 'none'
            when candidate_count = 1 then 'matched'
            else 'several'
        end as benchmark_match,
        case when candidate_count = 1 then benchmark_id end as benchmark_id,
        case when candidate_count = 1 then benchmark end as benchmark

    from candidates

)

select * from final
