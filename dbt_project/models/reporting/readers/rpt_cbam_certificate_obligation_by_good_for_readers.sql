-- rpt_cbam_certificate_obligation_by_good as readers see it: the rows of the reader's tenants only
-- (macros/tenant_isolation.sql). A security-barrier view on Postgres; the report itself is not
-- granted to readers.

select * from {{ ref('rpt_cbam_certificate_obligation_by_good') }}
where {{ reader_row_filter('tenant_id') }}
