-- The annual CBAM declaration's certificate obligation per tenant, declarant and year (Regulation
-- (EU) 2023/956, Article 6(2): embedded emissions; Article 22: certificates to surrender, after the
-- free allocation adjustment of Article 31 and the carbon price deduction of Article 9; small
-- importers exempt, Article 2a inserted by Regulation (EU) 2025/2083): the lines of
-- fct_cbam_certificate_obligation summed (macro cbam_obligation_totals). Per CN code and origin:
-- rpt_cbam_certificate_obligation_by_good. Materialized view on Postgres, table elsewhere.

with

lines as (

    select * from {{ ref('fct_cbam_certificate_obligation') }}

),

final as (

    {{ cbam_obligation_totals('lines', [
        'tenant_id', 'declarant_eori', 'year', 'small_importer_threshold_tonnes', 'is_small_importer_exempt'
    ]) }}

)

select * from final
