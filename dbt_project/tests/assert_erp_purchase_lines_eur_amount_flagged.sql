-- A line's EUR amount is null exactly when its currency has no ECB rate up to its month
-- (fx_status = 'missing_rate'): a missing rate is flagged, never a silent zero or a silent null.
select
    purchase_line_key,
    currency,
    reference_date,
    fx_status,
    net_amount,
    net_amount_eur

from {{ ref('int_erp__purchase_lines') }}
where (fx_status = 'missing_rate' and net_amount_eur is not null)
    or (fx_status <> 'missing_rate' and net_amount_eur is null)
    or (fx_status = 'eur' and net_amount_eur <> net_amount)
