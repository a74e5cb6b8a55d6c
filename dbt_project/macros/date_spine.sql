{#-
  date_spine(start_date, end_date): one row per day, column date_day, both ends included.
  The default builds the day numbers 0 .. n-1 from cross-joined powers of two (portable SQL) and
  adds them with dbt's cross-database dateadd; adapters may dispatch to a native generator.
-#}
{% macro date_spine(start_date, end_date) -%}
    {{ return(adapter.dispatch('date_spine', 'greenlang')(start_date, end_date)) }}
{%- endmacro %}

{% macro default__date_spine(start_date, end_date) -%}
    {%- set start = modules.datetime.date.fromisoformat(start_date) -%}
    {%- set end = modules.datetime.date.fromisoformat(end_date) -%}
    {%- set n_days = (end - start).days + 1 -%}
    {%- set n_bits = [1, (n_days - 1).bit_length()] | max -%}
    with
    {%- for bit in range(n_bits) %}
    bit_{{ bit }} as (select 0 as b union all select {{ 2 ** bit }} as b),
    {%- endfor %}
    day_numbers as (
        select
            {%- for bit in range(n_bits) %}
            bit_{{ bit }}.b {%- if not loop.last %} +{% endif %}
            {%- endfor %} as day_number
        from bit_0
        {%- for bit in range(1, n_bits) %}
        cross join bit_{{ bit }}
        {%- endfor %}
    )
    select cast({{ dbt.dateadd('day', 'day_number', "cast('" ~ start_date ~ "' as date)") }} as date) as date_day
    from day_numbers
    where day_number < {{ n_days }}
{%- endmacro %}
