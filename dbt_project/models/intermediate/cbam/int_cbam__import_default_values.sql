-- The default value row of each customs import line (int_cbam__import_lines) that has one
-- (IR (EU) 2025/2621), among the rows whose figures the line needs are usable
-- (int_cbam__default_values_checked): the base figures (direct, indirect, total) for a line with
-- actual direct emissions (only its default indirect value is used), else also the published value
-- of the year of the line (cbam_default_value_year): a broken 2028 value does not disqualify the
-- row for a 2026 import.
-- The row of the origin country and the LONGEST matching published CN code (8, 6 or 4 digits: 72081000
-- matches 7208), falling back to the "Other countries and territories" rows when the country has no
-- usable matching row.
-- Several rows for one (country, code) — white and grey clinker or cements under 2523 10 00 and
-- 2523 90 00, told apart by their production route (A) / (B): the production_route of the line picks
-- the row (default_value_selection = 'route'); only when the line has no route, or none of the rows
-- publishes it, the HIGHEST total is taken ('highest_of_n': the declarant cannot show which route
-- applies, so the conservative value). One row: 'single'. Lines without any matching row are absent.

with

import_lines as (

    select * from {{ ref('int_cbam__import_lines') }}

),

default_values as (

    select * from {{ ref('int_cbam__default_values_checked') }}
    where are_base_figures_usable

),

prefix_lengths as (

    select 8 as prefix_length
    union all select 7
    union all select 6
    union all select 5
    union all select 4

),

line_prefixes as (

    select
        import_lines.cbam_import_key,
        import_lines.origin_country,
        import_lines.production_route,
        import_lines.actual_direct_see is not null as needs_base_figures_only,
        {{ cbam_default_value_year('import_lines.import_date') }} as default_value_year,
        prefix_lengths.prefix_length,
        left(import_lines.cn_code, prefix_lengths.prefix_length) as cn_prefix

    from import_lines
    cross join prefix_lengths

),

default_candidates as (

    -- the origin country's own value, else the published "Other Countries and Territories" one
    select
        line_prefixes.cbam_import_key,
        line_prefixes.prefix_length,
        case when default_values.is_other_countries then 'other_countries' else 'country' end
            as default_value_fallback,
        case when default_values.is_other_countries then 2 else 1 end as fallback_rank,
        coalesce(line_prefixes.production_route = default_values.production_route, false) as is_route_match,
        default_values.default_value_id,
        default_values.direct_emissions_only,
        default_values.default_value_direct,
        default_values.default_value_indirect,
        default_values.default_value_total,
        default_values.default_value_2026,
        default_values.default_value_2027,
        default_values.default_value_2028

    from line_prefixes
    inner join default_values
        on line_prefixes.cn_prefix = default_values.cn_code
        and (
            default_values.is_other_countries
            or line_prefixes.origin_country = default_values.country_code
        )
        and (
            line_prefixes.needs_base_figures_only
            or case line_prefixes.default_value_year
                when 2026 then default_values.is_usable_2026
                when 2027 then default_values.is_usable_2027
                when 2028 then default_values.is_usable_2028
            end
        )

),

best_level as (

    -- the candidates of the best (country or other countries, longest code) level only
    select *
    from (
        select
            default_candidates.*,
            rank() over (
                partition by cbam_import_key
                order by fallback_rank, prefix_length desc
            ) as level_rank

        from default_candidates
    ) as levels
    where level_rank = 1

),

ranked_defaults as (

    select
        best_level.*,
        count(*) over (partition by cbam_import_key) as default_value_candidates,
        row_number() over (
            partition by cbam_import_key
            order by
                case when is_route_match then 0 else 1 end,
                default_value_total desc,
                default_value_id
        ) as default_rank

    from best_level

),

final as (

    select
        cbam_import_key,
        default_value_id,
        default_value_fallback,
        case
            when is_route_match then 'route'
            when default_value_candidates = 1 then 'single'
            else 'highest_of_n'
        end as default_value_selection,
        cast(default_value_candidates as integer) as default_value_candidates,
        direct_emissions_only,
        default_value_direct,
        default_value_indirect,
        default_value_2026,
        default_value_2027,
        default_value_2028

    from ranked_defaults
    where default_rank = 1

)

select * from final
