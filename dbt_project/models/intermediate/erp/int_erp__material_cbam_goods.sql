-- CN code of each material in the material_cn_codes seed and the CBAM good it falls under: the
-- LONGEST code of int_cbam__goods_categorised (dim_cbam_good) that the CN code starts with
-- (72083900 -> 7208), as for customs import lines (int_cbam__import_categories); NULL when none.
-- One row per seed row.

with

material_cn_codes as (

    select * from {{ ref('material_cn_codes') }}

),

cbam_goods as (

    select * from {{ ref('int_cbam__goods_categorised') }}
    where is_cbam_good

),

prefix_lengths as (

    select 8 as prefix_length
    union all select 7
    union all select 6
    union all select 5
    union all select 4

),

good_matches as (

    select
        material_cn_codes.tenant_id,
        material_cn_codes.source_system,
        material_cn_codes.material,
        cbam_goods.cn_code as cbam_good_cn_code,
        cbam_goods.cbam_sector,
        row_number() over (
            partition by
                material_cn_codes.tenant_id, material_cn_codes.source_system, material_cn_codes.material
            order by prefix_lengths.prefix_length desc
        ) as match_rank

    from material_cn_codes
    cross join prefix_lengths
    inner join cbam_goods
        on left(material_cn_codes.cn_code, prefix_lengths.prefix_length) = cbam_goods.cn_code

),

final as (

    select
        material_cn_codes.tenant_id,
        material_cn_codes.source_system,
        material_cn_codes.material,
        material_cn_codes.cn_code,
        good_matches.cbam_good_cn_code,
        good_matches.cbam_sector

    from material_cn_codes
    left join good_matches
        on material_cn_codes.tenant_id = good_matches.tenant_id
        and material_cn_codes.source_system = good_matches.source_system
        and material_cn_codes.material = good_matches.material
        and good_matches.match_rank = 1

)

select * from final
