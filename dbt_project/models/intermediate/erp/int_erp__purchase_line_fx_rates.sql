-- The ECB reference rate (fx_rates seed, units per EUR) of each purchase line of
-- int_erp__purchase_lines_unified: the rate of the line's reference month, falling back to the
-- latest earlier month. fx_status: eur / month_rate / fallback_rate / missing_rate (no rate up to
-- that month). One row per purchase line.

with

purchase_lines as (

    select * from {{ ref('int_erp__purchase_lines_unified') }}

),

fx_rates as (

    select * from {{ ref('fx_rates') }}

),

-- every rate of the line's currency up to the line's month; the latest one is used
fx_candidates as (

    select
        purchase_lines.purchase_line_key,
        fx_rates.rate_month,
        fx_rates.units_per_eur,
        row_number() over (
            partition by purchase_lines.purchase_line_key
            order by fx_rates.rate_month desc
        ) as rate_recency

    from purchase_lines
    inner join fx_rates
        on purchase_lines.currency = fx_rates.currency
        and fx_rates.rate_month <= purchase_lines.reference_month

),

final as (

    select
        purchase_lines.purchase_line_key,
        fx_candidates.rate_month as fx_rate_month,
        fx_candidates.units_per_eur as fx_units_per_eur,
        case
            when purchase_lines.currency = 'EUR' then 'eur'
            when fx_candidates.rate_month = purchase_lines.reference_month then 'month_rate'
            when fx_candidates.rate_month is not null then 'fallback_rate'
            else 'missing_rate'
        end as fx_status

    from purchase_lines
    left join fx_candidates
        on purchase_lines.purchase_line_key = fx_candidates.purchase_line_key
        and fx_candidates.rate_recency = 1

)

select * from final
