-- Annex I category of each customs import line (int_cbam__import_lines), one row per line:
-- sector and aggregated goods category of the LONGEST matching prefix in cbam_good_categories;
-- cbam_good_cn_code: the longest matching code of int_cbam__goods_categorised (dim_cbam_good).
-- NULL where nothing matches.

with

import_lines as (

    select * from {{ ref('int_cbam__import_lines') }}

),

good_categories as (

    select * from {{ ref('cbam_good_categories') }}

),

cbam_goods as (

    select * from {{ ref('int_cbam__goods_categorised') }}

),

prefix_lengths as (

    select 8 as prefix_length
    union all select 7
    union all select 6
    union all select 5
    union all select 4

),

-- each line once per CN prefix length, so that every prefix match below is an equi-join
line_prefixes as (

    select
        import_lines.cbam_import_key,
        prefix_lengths.prefix_length,
        left(import_lines.cn_code, prefix_lengths.prefix_length) as cn_prefix

    from import_lines
    cross join prefix_lengths

),

category_matches as (

    select
        line_prefixes.cbam_import_key,
        good_categories.cbam_sector,
        good_categories.aggregated_goods_category,
        good_categories.direct_emissions_only,
        good_categories.is_cbam_good,
        row_number() over (
            partition by line_prefixes.cbam_import_key
            order by line_prefixes.prefix_length desc
        ) as match_rank

    from line_prefixes
    inner join good_categories
        on line_prefixes.cn_prefix = good_categories.cn_prefix

),

good_matches as (

    select
        line_prefixes.cbam_import_key,
        cbam_goods.cn_code as cbam_good_cn_code,
        row_number() over (
            partition by line_prefixes.cbam_import_key
            order by line_prefixes.prefix_length desc
        ) as match_rank

    from line_prefixes
    inner join cbam_goods
        on line_prefixes.cn_prefix = cbam_goods.cn_code

),

final as (

    select
        import_lines.cbam_import_key,
        good_matches.cbam_good_cn_code,
        category_matches.cbam_sector,
        category_matches.aggregated_goods_category,
        category_matches.direct_emissions_only,
        category_matches.is_cbam_good

    from import_lines
    left join category_matches
        on import_lines.cbam_import_key = category_matches.cbam_import_key
        and category_matches.match_rank = 1
    left join good_matches
        on import_lines.cbam_import_key = good_matches.cbam_import_key
        and good_matches.match_rank = 1

)

select * from final
