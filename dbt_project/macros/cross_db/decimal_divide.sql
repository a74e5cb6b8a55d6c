{#-
  decimal_divide(numerator, denominator, scale=12): numerator / denominator as an exact
  decimal(38, scale), rounded half away from zero at `scale` decimal places; NULL when the
  denominator is 0 or NULL. Both operands are first cast to decimal(38,12) (to_decimal).

  Why a macro: DuckDB divides decimals in DOUBLE (a float, ~16 significant digits), and Postgres
  rounds a numeric quotient to a scale that shrinks as the quotient grows. Regulatory and monetary
  numbers are exact decimals (docs/architecture.md, "Provenance"), so the quotient is computed with
  integer arithmetic instead: q = sign(n) * sign(d) * floor((2|n| * 10^s + |d|) / (2|d|)) / 10^s.
  - Postgres: div() is exact integer division of numerics (arbitrary precision).
  - DuckDB: the operands' unscaled values (x 10^12) as HUGEINT and `//`; numerators are limited to
    about 8.5e13 in absolute value (HUGEINT holds 1.7e38), beyond which DuckDB raises an overflow
    error rather than rounding.
  - Snowflake (default): round(n / d, s); Snowflake's number division keeps the dividend's scale
    plus up to 6 digits, enough for scale 12.
-#}
{% macro decimal_divide(numerator, denominator, scale=12) -%}
    {{ return(adapter.dispatch('decimal_divide', 'greenlang')(numerator, denominator, scale)) }}
{%- endmacro %}

{% macro default__decimal_divide(numerator, denominator, scale) -%}
    {{ to_decimal(
        'round(' ~ to_decimal(numerator) ~ ' / nullif(' ~ to_decimal(denominator) ~ ', 0), ' ~ scale ~ ')',
        38, scale
    ) }}
{%- endmacro %}

{% macro postgres__decimal_divide(numerator, denominator, scale) -%}
    {%- set n = to_decimal(numerator) -%}
    {%- set d = 'nullif(' ~ to_decimal(denominator) ~ ', 0)' -%}
    {%- set shift = '1' ~ '0' * scale -%}
    {%- set unit = '0.' ~ '0' * (scale - 1) ~ '1' -%}
    {{ to_decimal(
        'sign(' ~ n ~ ') * sign(' ~ d ~ ')'
        ~ ' * div(2 * abs(' ~ n ~ ') * ' ~ shift ~ ' + abs(' ~ d ~ '), 2 * abs(' ~ d ~ '))'
        ~ ' * ' ~ unit,
        38, scale
    ) }}
{%- endmacro %}

{% macro duckdb__decimal_divide(numerator, denominator, scale) -%}
    {%- set n = 'cast(' ~ to_decimal(numerator) ~ ' * 1000000000000 as hugeint)' -%}
    {%- set d = 'nullif(cast(' ~ to_decimal(denominator) ~ ' * 1000000000000 as hugeint), 0)' -%}
    {%- set shift = '1' ~ '0' * scale -%}
    {%- set unit = '0.' ~ '0' * (scale - 1) ~ '1' -%}
    cast(
        cast(
            sign({{ n }}) * sign({{ d }})
            * ((2 * abs({{ n }}) * {{ shift }} + abs({{ d }})) // (2 * abs({{ d }})))
            as decimal(38, 0)
        ) * {{ unit }}
        as decimal(38, {{ scale }})
    )
{%- endmacro %}
