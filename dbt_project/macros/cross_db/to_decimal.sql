{#- Exact decimal cast (regulatory numbers are never floats): to_decimal(expr, 38, 12). -#}
{% macro to_decimal(expr, precision=38, scale=12) -%}
    {{ return(adapter.dispatch('to_decimal', 'greenlang')(expr, precision, scale)) }}
{%- endmacro %}

{% macro default__to_decimal(expr, precision, scale) -%}
    cast({{ expr }} as numeric({{ precision }}, {{ scale }}))
{%- endmacro %}

{% macro duckdb__to_decimal(expr, precision, scale) -%}
    cast({{ expr }} as decimal({{ precision }}, {{ scale }}))
{%- endmacro %}

{% macro snowflake__to_decimal(expr, precision, scale) -%}
    cast({{ expr }} as number({{ precision }}, {{ scale }}))
{%- endmacro %}
