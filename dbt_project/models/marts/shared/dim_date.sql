-- Calendar days from var('dim_date_start') to var('dim_date_end') (2020-01-01 .. 2030-12-31), ISO 8601
-- weeks. CBAM periods: quarterly reports in the transitional period (Article 35 of Regulation (EU)
-- 2023/956, until 2025), annual declarations from 2026 (Article 6).

with

days as (

    {{ date_spine(var('dim_date_start'), var('dim_date_end')) }}

),

final as (

    select
        date_day,
        {{ year_of('date_day') }} as year,
        {{ quarter_of('date_day') }} as quarter,
        {{ month_of('date_day') }} as month,
        {{ day_of_month('date_day') }} as day_of_month,
        {{ day_of_year('date_day') }} as day_of_year,
        {{ iso_year_of('date_day') }} as iso_year,
        {{ iso_week_of('date_day') }} as iso_week,
        {{ iso_day_of_week('date_day') }} as iso_day_of_week,
        {{ iso_day_of_week('date_day') }} >= 6 as is_weekend,
        {{ dbt.concat([
            'cast(' ~ year_of('date_day') ~ ' as ' ~ dbt.type_string() ~ ')',
            "'-Q'",
            'cast(' ~ quarter_of('date_day') ~ ' as ' ~ dbt.type_string() ~ ')'
        ]) }} as year_quarter,
        {{ year_of('date_day') }} >= 2026 as is_cbam_definitive_period

    from days

)

select * from final
