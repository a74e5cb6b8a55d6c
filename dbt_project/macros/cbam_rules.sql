{#-
  Rules for the CBAM default values of Implementing Regulation (EU) 2025/2621.
-#}

{#-
  half_unit_in_last_place(expr): half a unit in the last published decimal place of a value, the
  largest rounding error the publication can hold. The raw layer stores decimal(38,12), so the
  published number of decimals is recovered from the value itself (the smallest k with
  x = round(x, k)), but never fewer than var('cbam_default_value_min_decimal_places') = 2: the
  Commission's workbook shows two decimals and the CSV conversion drops trailing zeros, so "0.9" is
  0.90 (tolerance 0.005, not 0.05). NULL counts as 0 (an absent term adds no rounding error).
-#}
{% macro half_unit_in_last_place(expr, max_places=12) -%}
    {%- set min_places = var('cbam_default_value_min_decimal_places') | int -%}
    case
        when {{ expr }} is null then 0
        {%- for places in range(min_places, max_places) %}
        when {{ expr }} = round({{ expr }}, {{ places }}) then 0.{{ '0' * places }}5
        {%- endfor %}
        else 0.{{ '0' * max_places }}5
    end
{%- endmacro %}

{#-
  cbam_markup_factor(sector, year): the factor by which the published year default value exceeds
  the published total, Implementing Regulation (EU) 2025/2621: 1.10 / 1.20 / 1.30 for 2026 / 2027 /
  2028, and 1.01 in every year for fertilisers. `year` is a literal (2026, 2027, 2028) or a SQL
  expression when `year_is_sql` is true.
-#}
{% macro cbam_markup_factor(sector, year, year_is_sql=false) -%}
    {%- set markup = var('cbam_default_value_markup') -%}
    case
        when {{ sector }} = 'Fertilisers' then {{ var('cbam_default_value_markup_fertilisers') }}
    {%- if year_is_sql %}
        {%- for y, factor in markup.items() | sort %}
        when {{ year }} = {{ y }} then {{ factor }}
        {%- endfor %}
    {%- else %}
        else {{ markup[year | string] }}
    {%- endif %}
    end
{%- endmacro %}
