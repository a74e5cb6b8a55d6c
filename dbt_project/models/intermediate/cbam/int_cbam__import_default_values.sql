-- The default value row of each customs import line (int_cbam__import_lines) that has one
-- (IR (EU) 2025/2621): the usable row (int_cbam__default_values_checked.is_usable) of the origin
-- country and the LONGEST matching published CN code (8, 6 or 4 digits: 72081000 matches 7208),
-- falling back to the "Other countries and territories" rows when the country has no usable
-- matching row. Several rows for one (country, code), e.g. white and grey clinker under
-- 2523 10 00: the HIGHEST total is taken (conservative: the declarant cannot show which route
-- applies). Lines without any matching row are absent.

with

import_lines as (

    select * from {{ ref('int_cbam__import_lines') }}

),

default_values as (

    select * from {{ ref('int_cbam__default_values_checked') }}
    where is_usable

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

),

ranked_defaults as (

    select
        default_candidates.*,
        row_number() over (
            partition by cbam_import_key
            order by
                fallback_rank,
                prefix_length desc,
                default_value_total desc,
                default_value_id
        ) as default_rank

    from default_candidates

),

final as (

    select
        cbam_import_key,
        default_value_id,
        default_value_fallback,
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
