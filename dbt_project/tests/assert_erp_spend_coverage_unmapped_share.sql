-- Tenants whose purchase spend the spend-based Scope 3 mapping leaves unmapped above the configured
-- share (var spend_unmapped_share_max; int_erp__spend_coverage). A warning: add the material groups,
-- G/L accounts or supplier industries the rows name to seeds/spend_category_map.csv.
select
    tenant_id,
    purchase_lines,
    unmapped_lines,
    spend_eur,
    unmapped_spend_eur,
    unmapped_spend_share

from {{ ref('int_erp__spend_coverage') }}
where unmapped_spend_share > {{ to_decimal("'" ~ var('spend_unmapped_share_max') ~ "'") }}
