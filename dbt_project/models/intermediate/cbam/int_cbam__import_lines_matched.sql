-- Each customs import line (int_cbam__import_lines) with its Annex I category
-- (int_cbam__import_categories), its default value row (int_cbam__import_default_values), the
-- default value year and the emission methods (Annex IV of Regulation (EU) 2023/956):
-- - emission_method: 'actual' when actual_direct_see is given (Annex IV, point 2); else 'default'
--   when a default value row matched; else 'missing' (the line stays, never dropped).
-- - indirect_method: 'not_counted' for goods listed in Annex II (iron and steel, aluminium,
--   hydrogen, electricity: direct only); else 'actual' when the actual method gives an actual
--   indirect value; else 'electricity' when the actual method gives the electricity consumed and the
--   origin country has a configured grid emission factor (indirect emissions = electricity consumed
--   x emission factor for electricity, Regulation (EU) 2023/956 Annex IV; macro
--   cbam_electricity_factor, var cbam_electricity_emission_factors, default none); else 'default'
--   with the default indirect value of the matched row.
-- - is_electricity_factor_missing: an actual line gives the electricity consumed but no factor is
--   configured for its origin: flagged, and its indirect emissions fall back as above.
-- - clamped_year: the import year clamped to 2026..2028; published_year_value: the published
--   default value of that year (including the mark-up); markup_factor of the sector and year.

with

import_lines as (

    select * from {{ ref('int_cbam__import_lines') }}

),

categories as (

    select * from {{ ref('int_cbam__import_categories') }}

),

best_defaults as (

    select * from {{ ref('int_cbam__import_default_values') }}

),

joined as (

    select
        import_lines.*,
        {{ year_of('import_lines.import_date') }} as import_year,
        {{ quarter_of('import_lines.import_date') }} as import_quarter,
        categories.cbam_good_cn_code,
        categories.cbam_sector,
        categories.aggregated_goods_category,
        coalesce(categories.is_cbam_good, false) as is_cbam_good,
        coalesce(categories.direct_emissions_only, best_defaults.direct_emissions_only)
            as direct_emissions_only,
        best_defaults.default_value_id as matched_default_value_id,
        best_defaults.default_value_fallback as matched_default_value_fallback,
        best_defaults.default_value_direct,
        best_defaults.default_value_indirect,
        best_defaults.default_value_selection,
        best_defaults.default_value_candidates,
        {{ cbam_electricity_factor('import_lines.origin_country', 't_co2_per_mwh') }}
            as electricity_emission_factor,
        {{ cbam_electricity_factor('import_lines.origin_country', 'source') }}
            as electricity_emission_factor_source,
        {{ cbam_default_value_year('import_lines.import_date') }} as clamped_year,
        case {{ cbam_default_value_year('import_lines.import_date') }}
            when 2026 then best_defaults.default_value_2026
            when 2027 then best_defaults.default_value_2027
            when 2028 then best_defaults.default_value_2028
        end as published_year_value

    from import_lines
    left join categories
        on import_lines.cbam_import_key = categories.cbam_import_key
    left join best_defaults
        on import_lines.cbam_import_key = best_defaults.cbam_import_key

),

final as (

    select
        joined.*,
        case
            when actual_direct_see is not null then 'actual'
            when matched_default_value_id is not null then 'default'
            else 'missing'
        end as emission_method,
        case
            when direct_emissions_only then 'not_counted'
            when direct_emissions_only is null then null
            when actual_direct_see is not null and actual_indirect_see is not null then 'actual'
            when actual_direct_see is not null
                and electricity_consumed_mwh is not null
                and electricity_emission_factor is not null
                then 'electricity'
            when matched_default_value_id is not null and default_value_indirect is not null then 'default'
        end as indirect_method,
        coalesce(
            not direct_emissions_only
            and actual_direct_see is not null
            and actual_indirect_see is null
            and electricity_consumed_mwh is not null
            and electricity_emission_factor is null,
            false
        ) as is_electricity_factor_missing,
        {{ cbam_markup_factor('cbam_sector', 'clamped_year', year_is_sql=true) }} as markup_factor

    from joined

)

select * from final
