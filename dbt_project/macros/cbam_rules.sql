{#-
  Rules for the CBAM default values of Implementing Regulation (EU) 2025/2621.
-#}

{#-
  published_scale(text_expr, value_expr): the number of decimals of a figure as published, from its
  text ("0.957" 3, "3.0" 1, "7" 0; a decimal comma counts like a point); NULL when nothing is
  published. A row loaded before its text was kept (contract CBAMDefaultValue < 1.1.0) has only the
  exact value: its decimals are then those of the value (the smallest k with x = round(x, k)), which
  misses a published trailing zero ("3.0" reads as 0 decimals).
-#}
{% macro published_scale(text_expr, value_expr, max_places=12) -%}
    {%- set text = "trim(" ~ text_expr ~ ")" -%}
    {%- set point = "strpos(replace(" ~ text ~ ", ',', '.'), '.')" -%}
    case
        when nullif({{ text }}, '') is not null and {{ point }} = 0 then 0
        when nullif({{ text }}, '') is not null then cast(length({{ text }}) - {{ point }} as integer)
        when {{ value_expr }} is null then null
        {%- for places in range(0, max_places) %}
        when {{ value_expr }} = round({{ value_expr }}, {{ places }}) then {{ places }}
        {%- endfor %}
        else {{ max_places }}
    end
{%- endmacro %}

{#-
  half_unit_in_last_place(scale_expr): half a unit in the last published decimal place of a figure
  with `scale_expr` decimals (published_scale), the largest error its rounding can hold: 2 decimals
  0.005, 6 decimals 0.0000005. An exact decimal literal per scale (no floating-point power). NULL
  scale (the figure is absent) counts as 0: an absent term adds no rounding error.
-#}
{% macro half_unit_in_last_place(scale_expr, max_places=12) -%}
    case
        when {{ scale_expr }} is null then 0
        when {{ scale_expr }} = 0 then 0.5
        {%- for places in range(1, max_places + 1) %}
        when {{ scale_expr }} = {{ places }} then 0.{{ '0' * places }}5
        {%- endfor %}
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

{#-
  cbam_default_value_year(date_expr): the year whose published default value applies to an import on
  `date_expr`: its year clamped to vars cbam_default_value_first_year..cbam_default_value_last_year
  (2026..2028, the years IR (EU) 2025/2621 publishes; later imports use the 2028 value).
-#}
{% macro cbam_default_value_year(date_expr) -%}
    least(
        greatest({{ year_of(date_expr) }}, {{ var('cbam_default_value_first_year') }}),
        {{ var('cbam_default_value_last_year') }}
    )
{%- endmacro %}

{#-
  cbam_electricity_factor(country_expr, attribute): the configured emission factor of the electricity
  grid of a country of origin (attribute 't_co2_per_mwh', an exact decimal) or its source (attribute
  'source', text), from var cbam_electricity_emission_factors ({ISO alpha-2: {t_co2_per_mwh, source}}).
  No factor is published in a file the project reads (the Commission's IEA-based country factors are
  in the CBAM registry only), so the var defaults to none: NULL for every country until configured.
-#}
{% macro cbam_electricity_factor(country_expr, attribute) -%}
    {%- set factors = var('cbam_electricity_emission_factors') or {} -%}
    {%- if factors %}
    case {{ country_expr }}
        {%- for country, factor in factors.items() | sort %}
        {%- if attribute == 't_co2_per_mwh' %}
        when '{{ country }}' then {{ to_decimal("'" ~ factor['t_co2_per_mwh'] ~ "'") }}
        {%- else %}
        when '{{ country }}' then {{ dbt.string_literal(factor['source']) }}
        {%- endif %}
        {%- endfor %}
    end
    {%- elif attribute == 't_co2_per_mwh' -%}
    {{ to_decimal('null') }}
    {%- else -%}
    cast(null as text)
    {%- endif %}
{%- endmacro %}

{#-
  cbam_yearly_setting(var_name, year_expr): the exact decimal a yearly var ({"<year>": "<exact
  decimal>"}) gives for the year, NULL for a year it does not name. The certificate obligation's
  yearly parameters (the CBAM factor, the cross-sectoral correction factor, the certificate price)
  are not in a file the project reads, so each var defaults to none: NULL for every year until a
  deployment configures it (docs/cbam.md, "Annual declaration and certificates").
-#}
{% macro cbam_yearly_setting(var_name, year_expr) -%}
    {%- set values = var(var_name) or {} -%}
    {%- if values %}
    case {{ year_expr }}
        {%- for year, value in values.items() | sort %}
        when {{ year | int }} then {{ to_decimal("'" ~ value ~ "'") }}
        {%- endfor %}
    end
    {%- else -%}
    {{ to_decimal('null') }}
    {%- endif %}
{%- endmacro %}

{#-
  cbam_obligation_totals(lines, group_columns): the certificate obligation of fct_cbam_certificate_obligation's
  lines summed per group_columns, for the reports (rpt_cbam_certificate_obligation per declarant and year,
  _by_good per CN code and origin too). certificates_to_surrender: the lines' exact sum when every line has
  its figure (exempt lines: 0), else NULL with obligation_gap = a line's gap (the first in alphabetical
  order) and incomplete_line_count lines without a figure. No rounding: none is cited (Article 22).
-#}
{% macro cbam_obligation_totals(lines, group_columns) -%}
    select
        {%- for column in group_columns %}
        {{ column }},
        {%- endfor %}
        cast(count(*) as bigint) as import_line_count,
        cast(sum(case when obligation_gap is null then 0 else 1 end) as bigint) as incomplete_line_count,
        {{ to_decimal('sum(net_mass_tonnes)') }} as net_mass_tonnes,
        {{ to_decimal('sum(embedded_total)') }} as embedded_total,
        {{ to_decimal('sum(free_allocation_adjustment)') }} as free_allocation_adjustment,
        {{ to_decimal('sum(carbon_price_deduction)') }} as carbon_price_deduction,
        case when count(obligation_gap) = 0 then {{ to_decimal('sum(certificates)') }} end
            as certificates_to_surrender,
        min(obligation_gap) as obligation_gap

    from {{ lines }}
    group by {{ group_columns | join(', ') }}
{%- endmacro %}
