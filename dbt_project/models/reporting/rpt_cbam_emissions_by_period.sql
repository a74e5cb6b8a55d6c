-- Embedded emissions of CBAM imports per tenant, year, quarter, CN code, origin country and
-- installation (Article 6(2)(b)-(c) of Regulation (EU) 2023/956: quantity and embedded emissions
-- of imported goods, per installation and country of origin). share_of_mass_on_defaults: share of
-- net mass whose emissions come from default values (IR (EU) 2025/2621).
-- Materialized view on Postgres, table elsewhere (one config in dbt_project.yml).

with

imports as (

    select * from {{ ref('fct_cbam_imports') }}

),

aggregated as (

    select
        tenant_id,
        import_year as year,
        import_quarter as quarter,
        cn_code,
        origin_country,
        installation_id,
        count(*) as import_line_count,
        sum(net_mass_tonnes) as net_mass_tonnes,
        sum(case when emission_method = 'default' then net_mass_tonnes else 0 end)
            as net_mass_tonnes_on_defaults,
        sum(case when emission_method = 'missing' then net_mass_tonnes else 0 end)
            as net_mass_tonnes_missing_emissions,
        sum(embedded_direct) as embedded_direct,
        sum(embedded_indirect) as embedded_indirect,
        sum(embedded_markup) as embedded_markup,
        sum(embedded_total) as embedded_total

    from imports
    group by tenant_id, import_year, import_quarter, cn_code, origin_country, installation_id

),

final as (

    select
        tenant_id,
        year,
        quarter,
        cn_code,
        origin_country,
        installation_id,
        cast(import_line_count as bigint) as import_line_count,
        {{ to_decimal('net_mass_tonnes') }} as net_mass_tonnes,
        {{ to_decimal('net_mass_tonnes_on_defaults') }} as net_mass_tonnes_on_defaults,
        {{ to_decimal('net_mass_tonnes_missing_emissions') }} as net_mass_tonnes_missing_emissions,
        {{ to_decimal('embedded_direct') }} as embedded_direct,
        {{ to_decimal('embedded_indirect') }} as embedded_indirect,
        {{ to_decimal('embedded_markup') }} as embedded_markup,
        {{ to_decimal('embedded_total') }} as embedded_total,
        {{ to_decimal(
            to_decimal('net_mass_tonnes_on_defaults') ~ ' / nullif(' ~ to_decimal('net_mass_tonnes') ~ ', 0)'
        ) }} as share_of_mass_on_defaults

    from aggregated

)

select * from final
