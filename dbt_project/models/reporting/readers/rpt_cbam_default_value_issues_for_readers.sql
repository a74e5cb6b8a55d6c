-- rpt_cbam_default_value_issues as readers see it: published reference data without a tenant, seen
-- by every reader that has a tenant (macros/tenant_isolation.sql). A security-barrier view on
-- Postgres; the report itself is not granted to readers.

select * from {{ ref('rpt_cbam_default_value_issues') }}
where {{ reader_row_filter() }}
