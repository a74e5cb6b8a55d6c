-- The annual CBAM declaration's certificate obligation per tenant, declarant and year (Regulation
-- (EU) 2023/956, Article 6(2): embedded emissions, Article 22: certificates to surrender, after the
-- free allocation adjustment of Article 31 and the carbon price deduction of Article 9; the lines'
-- arithmetic is fct_cbam_certificate_obligation's). Small importers (Article 2a, inserted by
-- Regulation (EU) 2025/2083): a declarant-year whose CBAM goods' net mass is at or under
-- var('cbam_small_importer_threshold_tonnes') is exempt (0 certificates); unset, exemption is unknown.
-- certificates_to_surrender: 0 when exempt; else the lines' exact sum when every line and the
-- threshold are known; else NULL, with obligation_gap saying why. No rounding: none is cited.
-- Materialized view on Postgres, table elsewhere (one config in dbt_project.yml).

{%- set threshold = var('cbam_small_importer_threshold_tonnes') %}

with

lines as (

    select * from {{ ref('fct_cbam_certificate_obligation') }}

),

aggregated as (

    select
        tenant_id,
        declarant_eori,
        year,
        count(*) as import_line_count,
        sum(net_mass_tonnes) as net_mass_tonnes,
        sum(embedded_total) as embedded_total,
        sum(free_allocation_adjustment) as free_allocation_adjustment,
        sum(carbon_price_deduction) as carbon_price_deduction,
        sum(certificates) as certificates_of_complete_lines,
        sum(case when obligation_gap is null then 0 else 1 end) as incomplete_line_count,
        min(obligation_gap) as first_line_gap

    from lines
    group by tenant_id, declarant_eori, year

),

exemption as (

    select
        *,
        {{ to_decimal("'" ~ threshold ~ "'" if threshold is not none else 'null') }} as small_importer_threshold_tonnes,
        {% if threshold is not none -%}
        net_mass_tonnes <= {{ to_decimal("'" ~ threshold ~ "'") }}
        {%- else -%}
        cast(null as boolean)
        {%- endif %} as is_small_importer_exempt

    from aggregated

),

final as (

    select
        tenant_id,
        declarant_eori,
        year,
        cast(import_line_count as bigint) as import_line_count,
        cast(incomplete_line_count as bigint) as incomplete_line_count,
        {{ to_decimal('net_mass_tonnes') }} as net_mass_tonnes,
        small_importer_threshold_tonnes,
        is_small_importer_exempt,
        {{ to_decimal('embedded_total') }} as embedded_total,
        {{ to_decimal('free_allocation_adjustment') }} as free_allocation_adjustment,
        {{ to_decimal('carbon_price_deduction') }} as carbon_price_deduction,
        case
            when is_small_importer_exempt then {{ to_decimal('0') }}
            when incomplete_line_count = 0 and is_small_importer_exempt is not null
                then {{ to_decimal('certificates_of_complete_lines') }}
        end as certificates_to_surrender,
        case
            when is_small_importer_exempt then null
            when incomplete_line_count > 0 then first_line_gap
            when is_small_importer_exempt is null then 'small-importer threshold not configured'
        end as obligation_gap

    from exemption

)

select * from final
