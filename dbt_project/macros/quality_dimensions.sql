{#- The five data-quality dimensions, in the order of the scorecard's columns (docs/quality.md). -#}
{% macro quality_dimensions() -%}
    {{ return(['completeness', 'validity', 'uniqueness', 'timeliness', 'consistency']) }}
{%- endmacro %}

{#- quality_score_expression(): quality_score from the five dimension columns (named as the dimensions):
    their weighted mean, weights from var quality_score_weights. -#}
{% macro quality_score_expression() -%}
    {%- set weights = var('quality_score_weights') -%}
    {%- set terms = [] -%}
    {%- set total = namespace(weight=0) -%}
    {%- for dimension in quality_dimensions() -%}
        {%- do terms.append(weights[dimension] ~ ' * ' ~ dimension) -%}
        {%- set total.weight = total.weight + weights[dimension] -%}
    {%- endfor -%}
    ({{ terms | join(' + ') }}) / {{ total.weight }}
{%- endmacro %}
