-- What each load batch left in its raw table, over every raw table (raw_tables(), generated from the
-- source declarations): the rows it holds and how many distinct records among them (_row_sha256 is the
-- hash of the record as received, so two rows of one batch with one hash are the same record twice).

with

{% for table in raw_tables() %}
{{ table }} as (

    select
        '{{ table }}' as source,
        _batch_id as batch_id,
        count(*) as rows_in_table,
        count(distinct _row_sha256) as distinct_records

    from {{ source('raw', table) }}
    group by _batch_id

),

{% endfor %}
final as (

    {% for table in raw_tables() %}
    select * from {{ table }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from final
