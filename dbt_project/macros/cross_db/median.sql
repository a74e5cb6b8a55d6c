{#- median(expr): the median of a group (an aggregate). PostgreSQL has no median(): its ordered-set
    aggregate percentile_cont(0.5), which interpolates between the two middle values as DuckDB's and
    Snowflake's median() do. -#}
{% macro median(expr) -%}
    {{ return(adapter.dispatch('median', 'greenlang')(expr)) }}
{%- endmacro %}

{% macro default__median(expr) -%}
    median({{ expr }})
{%- endmacro %}

{% macro postgres__median(expr) -%}
    percentile_cont(0.5) within group (order by {{ expr }})
{%- endmacro %}
