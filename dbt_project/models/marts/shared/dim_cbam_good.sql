-- CBAM goods: one row per CN code of the goods list of the default-value workbook (4, 6 or 8 digits)
-- plus Annex I codes missing from it (electricity), with sector and aggregated goods category
-- (Annex I of Regulation (EU) 2023/956; categories of Annex II of IR (EU) 2023/1773 / 2025/2547).

with

cbam_goods as (

    select * from {{ ref('int_cbam__goods_categorised') }}

),

final as (

    select
        cn_code,
        cn_code_length,
        description,
        is_in_goods_list,
        category_cn_prefix,
        cbam_sector,
        aggregated_goods_category,
        direct_emissions_only,
        is_cbam_good

    from cbam_goods

)

select * from final
