{#-
  Use the custom schema name as is (staging, intermediate, marts, reporting, reference), not
  dbt's default "<target schema>_<custom schema>": docs/design.md, "Schemas".
  Nodes without a custom schema land in the target's schema.
  A write–audit–publish build (greenlang/warehouse/publish.py) passes the var build_schema_suffix
  ("__build"): every relation is built beside the published one, which readers keep reading until the
  build's tests pass and the relation is published.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}{{ var('build_schema_suffix', '') }}
    {%- else -%}
        {{ custom_schema_name | trim }}{{ var('build_schema_suffix', '') }}
    {%- endif -%}
{%- endmacro %}
