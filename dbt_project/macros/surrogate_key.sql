{#-
  surrogate_key(['col_a', 'col_b', ...]): md5 (32 lower-case hex digits) of the columns cast to
  text, joined by '-', a NULL written as '_greenlang_null_'. Identical on DuckDB, Postgres and
  Snowflake for text, integer and date columns (dates render as YYYY-MM-DD on all three with
  their default settings). Do not key on timestamps, floats or decimals: their text form
  differs between engines.
-#}
{% macro surrogate_key(field_list) -%}
    {{ return(adapter.dispatch('surrogate_key', 'greenlang')(field_list)) }}
{%- endmacro %}

{% macro default__surrogate_key(field_list) -%}
    md5(
    {%- for field in field_list %}
        coalesce(cast({{ field }} as {{ dbt.type_string() }}), '_greenlang_null_')
        {%- if not loop.last %} || '-' || {% endif -%}
    {% endfor %}
    )
{%- endmacro %}
