{#-
  minute_window_start(expr, minutes): the start of the tumbling window of `minutes` minutes that holds the
  timestamp `expr`, windows aligned on midnight UTC (`minutes` must divide a day). DuckDB: time_bucket;
  PostgreSQL 14+: date_bin from 2000-01-01; Snowflake: time_slice.
-#}
{% macro minute_window_start(expr, minutes) -%}
    {{ return(adapter.dispatch('minute_window_start', 'greenlang')(expr, minutes)) }}
{%- endmacro %}

{% macro default__minute_window_start(expr, minutes) -%}
    date_bin(interval '{{ minutes }} minutes', {{ expr }}, timestamp '2000-01-01 00:00:00')
{%- endmacro %}

{% macro duckdb__minute_window_start(expr, minutes) -%}
    time_bucket(interval '{{ minutes }} minutes', {{ expr }}, timestamp '2000-01-01 00:00:00')
{%- endmacro %}

{% macro snowflake__minute_window_start(expr, minutes) -%}
    time_slice({{ expr }}, {{ minutes }}, 'MINUTE')
{%- endmacro %}
