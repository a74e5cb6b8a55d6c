-- One row per CBAM good code: the CN codes (4, 6 or 8 digits) of the goods list of the default-value
-- workbook (IR (EU) 2025/2621), plus the Annex I CN codes of 8 digits that the list lacks
-- (electricity, 2716 00 00), each with its CBAM sector and aggregated goods category from the
-- LONGEST matching prefix of the cbam_good_categories seed (Annex I of Regulation (EU) 2023/956).

with

goods as (

    select * from {{ ref('stg_cbam__goods') }}

),

good_categories as (

    select * from {{ ref('cbam_good_categories') }}

),

listed_descriptions as (

    select distinct
        cn_code,
        description

    from goods

),

listed_codes as (

    select
        cn_code,
        {{ dbt.listagg('description', "' | '", 'order by description') }} as description,
        true as is_in_goods_list

    from listed_descriptions
    group by cn_code

),

annex_i_codes_not_listed as (

    select
        cn_prefix as cn_code,
        description,
        false as is_in_goods_list

    from good_categories
    where is_cbam_good
        and length(cn_prefix) = 8
        and cn_prefix not in (select cn_code from listed_codes)

),

codes as (

    select * from listed_codes
    union all
    select * from annex_i_codes_not_listed

),

category_matches as (

    select
        codes.cn_code,
        good_categories.cn_prefix,
        good_categories.cbam_sector,
        good_categories.aggregated_goods_category,
        good_categories.direct_emissions_only,
        good_categories.is_cbam_good,
        row_number() over (
            partition by codes.cn_code
            order by length(good_categories.cn_prefix) desc
        ) as prefix_rank

    from codes
    inner join good_categories
        on {{ starts_with('codes.cn_code', 'good_categories.cn_prefix') }}

),

final as (

    select
        codes.cn_code,
        cast(length(codes.cn_code) as integer) as cn_code_length,
        codes.description,
        codes.is_in_goods_list,
        category_matches.cn_prefix as category_cn_prefix,
        category_matches.cbam_sector,
        category_matches.aggregated_goods_category,
        category_matches.direct_emissions_only,
        coalesce(category_matches.is_cbam_good, false) as is_cbam_good

    from codes
    left join category_matches
        on codes.cn_code = category_matches.cn_code
        and category_matches.prefix_rank = 1

)

select * from final
