{#-
  late_arrival_filter(column='_ingested_at'): in an incremental run only, the WHERE clause that
  re-reads the rows whose `column` is at most var('late_arrival_lookback_days') days before the
  newest `column` already loaded in {{ this }} (1900-01-01 when the table is empty). Renders nothing
  in a full build.
-#}
{% macro late_arrival_filter(column='_ingested_at') -%}
    {%- if is_incremental() %}
    where {{ column }} >= (
        select
            {{ dbt.dateadd(
                'day',
                -1 * var('late_arrival_lookback_days') | int,
                "coalesce(max(" ~ column ~ "), cast('1900-01-01' as " ~ dbt.type_timestamp() ~ "))"
            ) }}
        from {{ this }}
    )
    {%- endif %}
{%- endmacro %}
