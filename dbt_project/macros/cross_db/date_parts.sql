{#-
  Integer date parts. extract() returns numeric on Postgres 14+ and double in date_part(), so every
  part is cast to integer. ISO 8601 week, week-year and weekday: Postgres and DuckDB know
  `week`/`isoyear`/`isodow` (ISO by definition); Snowflake's `week` follows the session's
  WEEK_OF_YEAR_POLICY, so it uses its ISO functions.
-#}
{% macro year_of(expr) -%}
    {{ return(adapter.dispatch('date_part_int', 'greenlang')('year', expr)) }}
{%- endmacro %}
{% macro quarter_of(expr) -%}
    {{ return(adapter.dispatch('date_part_int', 'greenlang')('quarter', expr)) }}
{%- endmacro %}
{% macro month_of(expr) -%}
    {{ return(adapter.dispatch('date_part_int', 'greenlang')('month', expr)) }}
{%- endmacro %}
{% macro day_of_month(expr) -%}
    {{ return(adapter.dispatch('date_part_int', 'greenlang')('day', expr)) }}
{%- endmacro %}
{% macro day_of_year(expr) -%}
    {{ return(adapter.dispatch('date_part_int', 'greenlang')('doy', expr)) }}
{%- endmacro %}
{% macro iso_week_of(expr) -%}
    {{ return(adapter.dispatch('date_part_int', 'greenlang')('isoweek', expr)) }}
{%- endmacro %}
{% macro iso_year_of(expr) -%}
    {{ return(adapter.dispatch('date_part_int', 'greenlang')('isoyear', expr)) }}
{%- endmacro %}
{% macro iso_day_of_week(expr) -%}
    {{ return(adapter.dispatch('date_part_int', 'greenlang')('isodow', expr)) }}
{%- endmacro %}

{% macro default__date_part_int(part, expr) -%}
    {%- set sql_part = {'isoweek': 'week'}.get(part, part) -%}
    cast(extract({{ sql_part }} from {{ expr }}) as integer)
{%- endmacro %}

{% macro snowflake__date_part_int(part, expr) -%}
    {%- set functions = {
        'year': 'year', 'quarter': 'quarter', 'month': 'month', 'day': 'day',
        'doy': 'dayofyear', 'isoweek': 'weekiso', 'isoyear': 'yearofweekiso', 'isodow': 'dayofweekiso'
    } -%}
    cast({{ functions[part] }}({{ expr }}) as integer)
{%- endmacro %}
