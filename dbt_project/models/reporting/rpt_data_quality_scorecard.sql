-- Data-quality scorecard: one row per tenant, day and dataset (raw.<source>) with a load that day; the
-- five dimensions and quality_score are the means over the day's loads of int_quality__batch_scores
-- (each load counts once, so a failed delivery weighs as much as a large one: docs/quality.md).
-- Trend: quality_score_7d, the mean of the dataset's scores over the 7 days ending on score_date (days
-- with a load), and quality_score_change against its previous scored day.
-- The columns up to quality_score are an agreed interface (the Prometheus exporter reads them).
-- Materialized view on Postgres, table elsewhere (one config in dbt_project.yml).

with

batch_scores as (

    select * from {{ ref('int_quality__batch_scores') }}

),

daily as (

    select
        tenant_id,
        load_date as score_date,
        dataset,
        cast(count(*) as bigint) as loads,
        cast(sum(case when status <> 'succeeded' then 1 else 0 end) as bigint) as loads_not_succeeded,
        cast(sum(rows_read) as bigint) as rows_read,
        cast(sum(rows_rejected) as bigint) as rows_rejected,
        {% for dimension in quality_dimensions() -%}
        avg({{ dimension }}_score) as {{ dimension }}_score,
        {% endfor -%}
        avg(quality_score) as quality_score

    from batch_scores
    group by tenant_id, load_date, dataset

),

trend as (

    select
        daily.tenant_id,
        daily.score_date,
        daily.dataset,
        avg(recent.quality_score) as quality_score_7d

    from daily
    inner join daily as recent
        on recent.tenant_id = daily.tenant_id
        and recent.dataset = daily.dataset
        and recent.score_date <= daily.score_date
        and recent.score_date > daily.score_date - 7
    group by daily.tenant_id, daily.score_date, daily.dataset

),

final as (

    select
        daily.tenant_id,
        daily.score_date,
        daily.dataset,
        {% for dimension in quality_dimensions() -%}
        {{ to_decimal('daily.' ~ dimension ~ '_score', 5, 2) }} as {{ dimension }}_score,
        {% endfor -%}
        {{ to_decimal('daily.quality_score', 5, 2) }} as quality_score,
        {{ to_decimal('trend.quality_score_7d', 5, 2) }} as quality_score_7d,
        {{ to_decimal(
            'daily.quality_score - lag(daily.quality_score) over '
            ~ '(partition by daily.tenant_id, daily.dataset order by daily.score_date)', 5, 2
        ) }} as quality_score_change,
        daily.loads,
        daily.loads_not_succeeded,
        daily.rows_read,
        daily.rows_rejected

    from daily
    inner join trend
        on trend.tenant_id = daily.tenant_id
        and trend.score_date = daily.score_date
        and trend.dataset = daily.dataset

)

select * from final
