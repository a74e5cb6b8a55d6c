-- CN lines of CBAM goods as listed in the default-value workbook of Implementing Regulation (EU)
-- 2025/2621 ("Other countries and territories" sheet). A CN code may appear more than once (white /
-- grey clinker); dim_cbam_good has one row per code.

with

source as (

    select * from {{ source('raw', 'cbam__goods') }}

),

renamed as (

    select
        tenant_id,
        trim(sector) as sector,
        replace(trim(cn_code), ' ', '') as cn_code,
        cast(length(replace(trim(cn_code), ' ', '')) as integer) as cn_code_length,
        trim(description) as description,
        nullif(trim(route_code), '') as route_code,
        {{ provenance_columns() }}

    from source

),

final as (

    select * from renamed

)

select * from final
