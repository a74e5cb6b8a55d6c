-- The inputs of the certificate obligation of each import line of a CBAM good
-- (fct_cbam_certificate_obligation): the line's figures (fct_cbam_imports), its benchmark (int_cbam__import_benchmarks), whether its emission
-- method takes the column B benchmarks, the yearly parameters, and the declarant-year's net mass with
-- the small-importer threshold (Regulation (EU) 2023/956, Articles 31, 9, 21 and 2a). Every parameter
-- is a dbt var with no default (dbt_project.yml): NULL (false for the method) until configured.

{%- set column_b_methods = var('cbam_benchmark_column_b_methods') or [] %}
{%- set threshold = var('cbam_small_importer_threshold_tonnes') %}

with

imports as (

    select * from {{ ref('fct_cbam_imports') }}
    where is_cbam_good

),

import_benchmarks as (

    select * from {{ ref('int_cbam__import_benchmarks') }}

),

final as (

    select
        imports.cbam_import_key,
        imports.tenant_id,
        imports.declarant_key,
        imports.declarant_eori,
        imports.import_year,
        imports.cn_code,
        imports.origin_country,
        imports.net_mass_tonnes,
        imports.emission_method,
        imports.embedded_total,
        imports.carbon_price_paid_eur,
        imports._batch_id,
        import_benchmarks.production_route,
        import_benchmarks.benchmark_match,
        import_benchmarks.benchmark_id,
        import_benchmarks.benchmark,
        {% if column_b_methods -%}
        imports.emission_method in (
            {%- for method in column_b_methods %}{{ dbt.string_literal(method) }}{{ ', ' if not loop.last }}{% endfor -%}
        )
        {%- else -%}
        false
        {%- endif %} as is_column_b_method,
        {{ cbam_yearly_setting('cbam_factors', 'imports.import_year') }} as cbam_factor,
        {{ cbam_yearly_setting('cbam_cross_sectoral_correction_factors', 'imports.import_year') }}
            as cross_sectoral_correction_factor,
        {{ cbam_yearly_setting('cbam_certificate_prices', 'imports.import_year') }} as certificate_price_eur,
        {{ to_decimal("'" ~ threshold ~ "'" if threshold is not none else 'null') }}
            as small_importer_threshold_tonnes,
        {{ to_decimal(
            'sum(imports.net_mass_tonnes) over (partition by imports.tenant_id, imports.declarant_eori, imports.import_year)'
        ) }} as declarant_year_net_mass_tonnes

    from imports
    inner join import_benchmarks
        on imports.cbam_import_key = import_benchmarks.cbam_import_key

)

select * from final
