-- rpt_data_quality_scorecard as readers see it: the rows of the reader's tenants only
-- (macros/tenant_isolation.sql). A security-barrier view on Postgres; the report itself is not
-- granted to readers.

select * from {{ ref('rpt_data_quality_scorecard') }}
where {{ reader_row_filter('tenant_id') }}
