{#- starts_with(string, prefix): true when the string begins with the prefix (CN code prefix match). -#}
{% macro starts_with(string, prefix) -%}
    {{ return(adapter.dispatch('starts_with', 'greenlang')(string, prefix)) }}
{%- endmacro %}

{% macro default__starts_with(string, prefix) -%}
    (left({{ string }}, length({{ prefix }})) = {{ prefix }})
{%- endmacro %}

{% macro duckdb__starts_with(string, prefix) -%}
    starts_with({{ string }}, {{ prefix }})
{%- endmacro %}

{% macro snowflake__starts_with(string, prefix) -%}
    startswith({{ string }}, {{ prefix }})
{%- endmacro %}
