-- The annual CBAM declaration's certificate obligation per tenant, declarant, year, CN code and
-- country of origin (Regulation (EU) 2023/956, Article 6(2)(a)-(c): the goods imported of each type
-- with their embedded emissions; Articles 31, 9 and 22 as in rpt_cbam_certificate_obligation, whose
-- declarant-year this splits; the small-importer exemption, Article 2a, is the declarant-year's).
-- Materialized view on Postgres, table elsewhere.

with

lines as (

    select * from {{ ref('fct_cbam_certificate_obligation') }}

),

final as (

    {{ cbam_obligation_totals('lines', [
        'tenant_id', 'declarant_eori', 'year', 'cn_code', 'origin_country', 'is_small_importer_exempt'
    ]) }}

)

select * from final
