-- The CBAM certificate obligation of each import line of a CBAM good, for the annual declaration
-- (Regulation (EU) 2023/956, Article 6(2)); the rpt_cbam_certificate_obligation* reports sum it per
-- declarant and year, and per CN code and origin. Exact decimal(38,12), each product rounded once at
-- its 12th place:
--   free_allocation_adjustment = benchmark x net mass x CBAM factor of the year x cross-sectoral
--     correction factor of the year (Article 31; benchmarks: IR (EU) 2025/2620, column B, for the
--     emission methods var('cbam_benchmark_column_b_methods') names)
--   carbon_price_deduction = carbon price paid in the country of origin, EUR / certificate price of
--     the year, EUR (Article 9(1); 0 where the line claims none)
--   certificates = embedded_total (mark-up included) - free_allocation_adjustment - carbon_price_deduction
--     (Article 22); 0 on every line of a declarant-year whose CBAM goods' net mass is at or under
--     var('cbam_small_importer_threshold_tonnes') (Article 2a, inserted by Regulation (EU) 2025/2083)
-- A line without a figure it needs has certificates NULL and obligation_gap says what is missing
-- (the parameters are configuration, none by default: int_cbam__obligation_inputs).

with

obligation_inputs as (

    select * from {{ ref('int_cbam__obligation_inputs') }}

),

adjusted as (

    select
        *,
        declarant_year_net_mass_tonnes <= small_importer_threshold_tonnes as is_small_importer_exempt,
        case when is_column_b_method then {{ to_decimal(
            to_decimal(to_decimal('benchmark * net_mass_tonnes') ~ ' * cbam_factor')
            ~ ' * cross_sectoral_correction_factor'
        ) }} end as free_allocation_adjustment,
        case
            when coalesce(carbon_price_paid_eur, 0) = 0 then {{ to_decimal('0') }}
            else {{ decimal_divide('carbon_price_paid_eur', 'certificate_price_eur') }}
        end as carbon_price_deduction,
        case
            when declarant_year_net_mass_tonnes <= small_importer_threshold_tonnes then null
            when emission_method = 'missing' then 'embedded emissions missing'
            when not is_column_b_method then 'no benchmark column configured for the emission method'
            when benchmark_match = 'none' then 'no benchmark for the CN code and route'
            when benchmark_match = 'several' then 'several benchmarks for the CN code and route'
            when cbam_factor is null then 'CBAM factor not configured for the year'
            when cross_sectoral_correction_factor is null
                then 'cross-sectoral correction factor not configured for the year'
            when coalesce(carbon_price_paid_eur, 0) <> 0 and certificate_price_eur is null
                then 'certificate price not configured for the year'
            when small_importer_threshold_tonnes is null then 'small-importer threshold not configured'
        end as obligation_gap

    from obligation_inputs

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
        declarant_year_net_mass_tonnes,
        small_importer_threshold_tonnes,
        is_small_importer_exempt,
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
        case
            when is_small_importer_exempt then {{ to_decimal('0') }}
            when obligation_gap is null then {{ to_decimal(
                'embedded_total - free_allocation_adjustment - carbon_price_deduction'
            ) }}
        end as certificates,
        obligation_gap,
        _batch_id

    from adjusted

)

select * from final
