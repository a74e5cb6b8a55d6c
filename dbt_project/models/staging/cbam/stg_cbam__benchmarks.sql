-- CBAM benchmarks, column B of the Annex to Implementing Regulation (EU) 2025/2620 (the benchmarks of
-- the free allocation adjustment, Article 31 of Regulation (EU) 2023/956), one row per benchmark.
-- The published text "0,666 (A)" is split into the figure (decimal comma -> exact decimal), the
-- production route letter "(A)" (as the default values of IR (EU) 2025/2621 label the route that
-- determines the benchmark) and the numbered variant "(1)" / "(2)" ("1,298 (F)(2)": both).
-- Heading lines (a sector's name, no figure) give the benchmarks below them their sector; separator
-- lines (empty) are dropped. benchmark_id: (publication, CN code, route, variant).

with

source as (

    select * from {{ source('raw', 'cbam__benchmarks') }}

),

lines as (

    select
        source.tenant_id,
        trim(source.cn_code) as cn_code,
        trim(source.column_b) as benchmark_published,
        case when source.column_b is null then trim(source.cn_code) end as heading,
        {{ provenance_columns('source') }}

    from source
    where source.cn_code is not null

),

sectioned as (

    select
        *,
        sum(case when heading is not null then 1 else 0 end) over (
            partition by _batch_id order by _source_row rows between unbounded preceding and current row
        ) as section_number

    from lines

),

with_sector as (

    select
        *,
        max(heading) over (partition by _batch_id, section_number) as sector_published,
        trim({{ dbt.split_part('benchmark_published', "'('", 1) }}) as figure_published

    from sectioned

),

parsed as (

    select
        tenant_id,
        {{ dbt.string_literal(var('cbam_benchmark_publication')) }} as publication,
        sector_published,
        cn_code,
        benchmark_published,
        {{ to_decimal("replace(figure_published, ',', '.')") }} as benchmark,
        -- the contract admits only "(X)", "(n)" and "(X)(n)" as suffixes: the first bracket holds a
        -- letter or a digit, the last a digit or a letter (character sets, not collation ranges)
        case when {{ dbt.position("substr(suffix, 2, 1)", "'ABCDEFGHIJKLMNOPQRSTUVWXYZ'") }} > 0
            then substr(suffix, 1, 3) end as route_code,
        case when {{ dbt.position("substr(suffix, length(suffix) - 1, 1)", "'0123456789'") }} > 0
            then substr(suffix, length(suffix) - 2, 3) end as benchmark_variant,
        _batch_id,
        _source_uri,
        _source_row,
        _row_sha256,
        _ingested_at

    from (
        select *, nullif(trim(substr(benchmark_published, length(figure_published) + 1)), '') as suffix
        from with_sector
        where heading is null
    ) as benchmark_lines

),

latest as (

    {{ latest_per_key('parsed', ['tenant_id', 'cn_code', 'route_code', 'benchmark_variant']) }}

),

final as (

    select
        {{ surrogate_key(['publication', 'cn_code', 'route_code', 'benchmark_variant']) }} as benchmark_id,
        tenant_id,
        publication,
        sector_published,
        cn_code,
        route_code,
        benchmark_variant,
        benchmark,
        benchmark_published,
        _batch_id,
        _source_uri,
        _source_row,
        _row_sha256,
        _ingested_at

    from latest

)

select * from final
