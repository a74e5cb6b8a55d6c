-- Purchase lines of SAP S/4HANA and Oracle Fusion, grain: one purchase order line (tenant, source
-- system, document, line), the latest version; deleted / cancelled lines are kept with is_deleted.
-- Quantities in base units and tonnes, amounts in document currency and EUR (int_erp__purchase_lines),
-- spend category (mapped_by: which key mapped it) and spend-based Scope 3 category 1 emissions
-- (int_erp__spend_based_emissions).
-- Incremental like fct_cbam_imports: re-reads the lines ingested from var('late_arrival_lookback_days')
-- days before the newest _ingested_at already loaded and replaces them by purchase_line_key
-- (delete+insert); a re-run inserts the same rows again, so it changes nothing. New exchange rates,
-- mappings or factors (seeds) need `--full-refresh` of this model to reach older lines.

{{ config(
    materialized='incremental',
    unique_key='purchase_line_key',
    incremental_strategy='delete+insert',
    on_schema_change='fail'
) }}

with

purchase_lines as (

    select * from {{ ref('int_erp__purchase_lines') }}

    {{ late_arrival_filter('_ingested_at') }}

),

emissions as (

    select * from {{ ref('int_erp__spend_based_emissions') }}

),

final as (

    select
        purchase_lines.purchase_line_key,
        purchase_lines.tenant_id,
        purchase_lines.source_system,
        purchase_lines.source_document_id,
        purchase_lines.source_line_id,
        purchase_lines.document_number,
        purchase_lines.supplier_key,
        purchase_lines.supplier,
        purchase_lines.material_key,
        purchase_lines.material,
        purchase_lines.category,
        purchase_lines.gl_account,
        purchase_lines.description,
        purchase_lines.purchasing_unit,
        purchase_lines.order_date,
        purchase_lines.reference_date,
        purchase_lines.reference_date_basis,
        purchase_lines.reference_year,
        purchase_lines.reference_quarter,
        purchase_lines.quantity,
        purchase_lines.unit_source_code,
        purchase_lines.unit,
        purchase_lines.quantity_kind,
        purchase_lines.base_unit,
        purchase_lines.quantity_in_base_unit,
        purchase_lines.mass_tonnes,
        purchase_lines.net_price_amount,
        purchase_lines.net_price_quantity,
        purchase_lines.net_amount,
        purchase_lines.currency,
        purchase_lines.fx_rate_month,
        purchase_lines.fx_units_per_eur,
        purchase_lines.fx_status,
        purchase_lines.net_amount_eur,
        purchase_lines.cn_code,
        purchase_lines.cbam_good_cn_code,
        purchase_lines.cbam_sector,
        purchase_lines.is_cbam_good,
        purchase_lines.is_deleted,
        purchase_lines.source_status,
        purchase_lines.changed_at,
        emissions.supplier_naics_code,
        emissions.mapped_by,
        emissions.spend_category,
        emissions.naics_code,
        emissions.scope3_category,
        emissions.eeio_factor_id,
        emissions.factor_fx_rate_month,
        emissions.factor_currency_per_eur,
        emissions.spend_factor_currency,
        emissions.price_index_year,
        emissions.spend_factor_price_year,
        emissions.spend_emission_status,
        emissions.scope3_cat1_kgco2e,
        emissions.scope3_cat1_tco2e,
        purchase_lines._batch_id,
        purchase_lines._source_uri,
        purchase_lines._source_row,
        purchase_lines._row_sha256,
        purchase_lines._ingested_at

    from purchase_lines
    left join emissions
        on purchase_lines.purchase_line_key = emissions.purchase_line_key

)

select * from final
