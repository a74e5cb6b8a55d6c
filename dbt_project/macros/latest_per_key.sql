{#-
  latest_per_key(relation, partition_by, order_by, rank_column='version_rank'): a portable select
  (no QUALIFY: the same SQL on DuckDB, Postgres and Snowflake) of the rows of `relation` (a relation
  or a CTE name) that come first in their partition: row_number() over (partition by <partition_by>
  order by <order_by>) = 1. Keeps every column of `relation` plus `rank_column` (always 1).
  partition_by and order_by are lists of SQL expressions (order_by items may end in asc / desc) or
  one string. Used by the staging models to keep the latest version per business key.
-#}
{% macro latest_per_key(relation, partition_by, order_by, rank_column='version_rank') -%}
    {%- set partition_sql = partition_by if partition_by is string else partition_by | join(', ') -%}
    {%- set order_sql = order_by if order_by is string else order_by | join(', ') -%}
    select *
    from (
        select
            latest_per_key_source.*,
            row_number() over (
                partition by {{ partition_sql }}
                order by {{ order_sql }}
            ) as {{ rank_column }}

        from {{ relation }} as latest_per_key_source
    ) as latest_per_key_ranked
    where {{ rank_column }} = 1
{%- endmacro %}
