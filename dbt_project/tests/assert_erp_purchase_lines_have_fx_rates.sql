-- Lines (not deleted) whose currency has no ECB rate up to their month: their EUR amount and spend-based
-- emissions stay null until seeds/fx_rates.csv has the rate. A warning, listing them.
select
    tenant_id,
    currency,
    reference_date,
    count(*) as purchase_lines

from {{ ref('int_erp__purchase_lines') }}
where fx_status = 'missing_rate'
    and not is_deleted
group by tenant_id, currency, reference_date
