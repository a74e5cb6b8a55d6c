{#-
  latest_per_key(relation, partition_by, prefer=[], rank_column='version_rank'): the one dedupe rule
  of the staging models. A portable select (no QUALIFY: the same SQL on DuckDB, Postgres and
  Snowflake) of the rows of `relation` (a relation or a CTE name) that come first in their business
  key: row_number() over (partition by <partition_by> order by <prefer>, <tie-break>) = 1.

  The rule, the same for every source:
    1. the source's own business preference, `prefer` (e.g. last_update_date desc, or a measured
       value before a forecast); none for most sources;
    2. then the latest load:            _ingested_at desc
    3. then the later record of a file: _source_row desc
    4. then the later batch id:         _batch_id desc (only two batches loaded in the same instant)
  Steps 2-4 are added here, so a model states only its business preference.

  Keeps every column of `relation` plus `rank_column` (always 1). partition_by and prefer are lists
  of SQL expressions (prefer items may end in asc / desc) or one string.
-#}
{% macro latest_per_key(relation, partition_by, prefer=[], rank_column='version_rank') -%}
    {%- set partition_sql = partition_by if partition_by is string else partition_by | join(', ') -%}
    {%- set prefer_list = [prefer] if prefer is string else prefer -%}
    {%- set order_sql = (prefer_list + latest_per_key_tie_break()) | join(', ') -%}
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

{#-
  latest_per_key_tie_break(relation=none): steps 2-4 of the dedupe rule, as ORDER BY items, the
  columns qualified by `relation` when given (for a window over a join).
-#}
{% macro latest_per_key_tie_break(relation=none) -%}
    {%- set prefix = relation ~ '.' if relation else '' -%}
    {{ return([prefix ~ '_ingested_at desc', prefix ~ '_source_row desc', prefix ~ '_batch_id desc']) }}
{%- endmacro %}
