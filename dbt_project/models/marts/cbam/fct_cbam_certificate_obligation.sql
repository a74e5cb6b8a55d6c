-- The CBAM certificate obligation of each import line of a CBAM good, for the annual declaration
-- (Regulation (EU) 2023/956, Article 6(2)); rpt_cbam_certificate_obligation sums it per declarant
-- and year. Every figure an exact decimal(38,12), each product rounded once at its 12th place:
--   free_allocation_adjustment = benchmark x net mass x CBAM factor of the year x cross-sectoral
--     correction factor of the year (Article 31; benchmarks: IR (EU) 2025/2620, column B, for the
--     emission methods var('cbam_benchmark_column_b_methods') names)
--   carbon_price_deduction = carbon price paid in the country of origin, EUR / certificate price of
--     the year, EUR (Article 9(1); 0 where the line claims none)
--   certificates = embedded_total (mark-up included) - free_allocation_adjustment - carbon_price_deduction
-- A line without a figure it needs has certificates NULL and obligation_gap says what is missing
-- (the parameters are configuration, none by default: dbt_project.yml).

{%- set column_b_methods = var('cbam_benchmark_column_b_methods') or [] %}

with

imports as (

    select * from {{ ref('fct_cbam_imports') }}
    where is_cbam_good

),

import_benchmarks as (

    select * from {{ ref('int_cbam__import_benchmarks') }}

),

parameters as (

    select
        imports.*,
        import_benchmarks.production_route,
        import_benchmarks.benchmark_match,
        import_benchmarks.benchmark_id,
        import_benchmarks.benchmark,
        {% if column_b_methods %}imports.emission_method in ({% for method in column_b_methods %}{{ dbt.string_literal(method) }}{{ ', ' if not loop.last }}{% endfor %}){% else %}false{% endif %}
            as is_column_b_method,
        {{ cbam_yearly_setting('cbam_factors', 'imports.import_year') }} as cbam_factor,
        {{ cbam_yearly_setting('cbam_cross_sectoral_correction_factors', 'imports.import_year') }}
            as cross_sectoral_correction_factor,
        {{ cbam_yearly_setting('cbam_certificate_prices', 'imports.import_year') }} as certificate_price_eur

    from imports
    inner join import_benchmarks
        on imports.cbam_import_key = import_benchmarks.cbam_import_key

),

adjusted as (

    select
        *,
        case when is_column_b_method then {{ to_decimal(
            to_decimal(to_decimal('benchmark * net_mass_tonnes') ~ ' * cbam_factor')
            ~ ' * cross_sectoral_correction_factor'
        ) }} end as free_allocation_adjustment,
        case
            when coalesce(carbon_price_paid_eur, 0) = 0 then {{ to_decimal('0') }}
            else {{ decimal_divide('carbon_price_paid_eur', 'certificate_price_eur') }}
        end as carbon_price_deduction,
        case
            when emission_method = 'missing' then 'embedded emissions missing'
            when not is_column_b_method then 'no benchmark column configured for the emission method'
            when benchmark_match = 'none' then 'no benchmark for the CN code and route'
            when benchmark_match = 'several' then 'several benchmarks for the CN code and route'
            when cbam_factor is null then 'CBAM factor not configured for the year'
            when cross_sectoral_correction_factor is null
                then 'cross-sectoral correction factor not configured for the year'
            when coalesce(carbon_price_paid_eur, 0) <> 0 and certificate_price_eur is null
                then 'certificate price not configured for the year'
        end as obligation_gap

    from parameters

),

final as (

    select
        cbam_import_key,
        tenant_id,
        declarant_key,
        declarant_eori,
        import_year as year,
        cn_code,
        origin_country,
        net_mass_tonnes,
        emission_method,
        embedded_total,
        production_route,
        benchmark_match,
        benchmark_id,
        benchmark,
        cbam_factor,
        cross_sectoral_correction_factor,
        free_allocation_adjustment,
        carbon_price_paid_eur,
        certificate_price_eur,
        carbon_price_deduction,
        case when obligation_gap is null then {{ to_decimal(
            'embedded_total - free_allocation_adjustment - carbon_price_deduction'
        ) }} end as certificates,
        obligation_gap,
        _batch_id

    from adjusted

)

select * from final
