-- Embedded emissions per customs import line of CBAM goods, Article 7 and Annex IV of Regulation
-- (EU) 2023/956, with default values of Implementing Regulation (EU) 2025/2621. The lines, their
-- category, default value row, year and methods: int_cbam__import_lines_matched.
--
-- 1. Direct and indirect specific emissions (see_*) of the method; indirect 0 when not counted.
--    Indirect method 'electricity' (Regulation (EU) 2023/956, Annex IV: electricity consumed x the
--    emission factor for electricity): embedded_indirect = electricity_consumed_mwh x factor
--    (tCO2/MWh), exact; see_indirect = that / net_mass_tonnes, rounded at 12 decimals (macro
--    decimal_divide); the factor and its source are on the row.
-- 2. Default year value: the published value of the clamped year, including the mark-up.
--    see_markup = year value - counted base (direct + counted indirect), so that see_total equals
--    the published year value exactly; it therefore also carries the rounding residual of the
--    publication (total vs direct + indirect, a few thousandths at most). For a direct-only good
--    whose published total includes indirect emissions (agglomerated iron ore, 2601 12 00), the
--    published year value would count the indirect part, so the year value is direct x mark-up
--    factor instead. Actual values carry no mark-up.
-- 3. embedded_* = see_* x net_mass_tonnes (indirect of method 'electricity': electricity x factor),
--    exact decimal(38,12); embedded_total = the sum of the three.

with

methods as (

    select * from {{ ref('int_cbam__import_lines_matched') }}

),

specific_emissions as (

    select
        methods.*,
        case emission_method
            when 'actual' then actual_direct_see
            when 'default' then default_value_direct
        end as see_direct_raw,
        case
            when emission_method = 'missing' then null
            when indirect_method = 'not_counted' then 0
            when indirect_method = 'actual' then actual_indirect_see
            when indirect_method = 'electricity'
                then {{ decimal_divide('electricity_consumed_mwh * electricity_emission_factor', 'net_mass_tonnes') }}
            when indirect_method = 'default' then default_value_indirect
        end as see_indirect_raw,
        case
            when emission_method <> 'default' then null
            when direct_emissions_only and coalesce(default_value_indirect, 0) <> 0
                then default_value_direct * markup_factor
            else published_year_value
        end as year_value_raw

    from methods

),

markups as (

    select
        specific_emissions.*,
        case emission_method
            when 'actual' then 0
            when 'default' then year_value_raw - (see_direct_raw + see_indirect_raw)
        end as see_markup_raw,
        case
            when indirect_method = 'electricity' then electricity_consumed_mwh * electricity_emission_factor
            else see_indirect_raw * net_mass_tonnes
        end as embedded_indirect_raw

    from specific_emissions

),

final as (

    select
        cbam_import_key,
        tenant_id,
        {{ surrogate_key(['tenant_id', 'declarant_eori']) }} as declarant_key,
        declarant_eori,
        declaration_id,
        declaration_line,
        import_date,
        import_year,
        import_quarter,
        cn_code,
        cbam_good_cn_code,
        cbam_sector,
        aggregated_goods_category,
        is_cbam_good,
        direct_emissions_only,
        origin_country,
        case
            when installation_id is not null
                then {{ surrogate_key(['tenant_id', 'installation_id']) }}
        end as installation_key,
        installation_id,
        customs_procedure,
        net_mass_tonnes,
        actual_direct_see,
        actual_indirect_see,
        electricity_consumed_mwh,
        carbon_price_paid_eur,
        emission_method,
        indirect_method,
        {{ to_decimal("case when indirect_method = 'electricity' then electricity_emission_factor end") }}
            as electricity_emission_factor,
        case when indirect_method = 'electricity' then electricity_emission_factor_source end
            as electricity_emission_factor_source,
        is_electricity_factor_missing,
        -- the default value row, where a figure of it is used
        {%- for column, matched in [
            ('default_value_id', 'matched_default_value_id'),
            ('default_value_fallback', 'matched_default_value_fallback'),
            ('default_value_selection', 'default_value_selection'),
            ('default_value_candidates', 'default_value_candidates'),
        ] %}
        case when emission_method = 'default' or indirect_method = 'default' then {{ matched }} end
            as {{ column }},
        {%- endfor %}
        case when emission_method = 'default' then clamped_year end as default_value_year,
        {{ to_decimal("case when emission_method = 'default' then markup_factor end") }} as markup_factor,
        {{ to_decimal('see_direct_raw') }} as see_direct,
        {{ to_decimal('see_indirect_raw') }} as see_indirect,
        {{ to_decimal('see_markup_raw') }} as see_markup,
        {{ to_decimal('see_direct_raw + see_indirect_raw + see_markup_raw') }} as see_total,
        {{ to_decimal('see_direct_raw * net_mass_tonnes') }} as embedded_direct,
        {{ to_decimal('embedded_indirect_raw') }} as embedded_indirect,
        {{ to_decimal('see_markup_raw * net_mass_tonnes') }} as embedded_markup,
        {{ to_decimal('see_direct_raw * net_mass_tonnes + embedded_indirect_raw + see_markup_raw * net_mass_tonnes') }}
            as embedded_total,
        _batch_id,
        _source_uri,
        _source_row,
        _row_sha256,
        _ingested_at

    from markups

)

select * from final
