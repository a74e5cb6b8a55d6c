-- CBAM default values of Implementing Regulation (EU) 2025/2621 as published: the published
-- country name mapped to its ISO 3166-1 alpha-2 code through the country_codes seed (XX for
-- "Other countries and territories"), CN code trimmed, figures as exact decimals.
-- default_value_id identifies a published row: (publication, country as published, CN code,
-- description); descriptions tell apart rows sharing a CN code (white / grey clinker).
-- <figure>_scale: the number of decimals of the figure as published (its *_published text, contract
-- CBAMDefaultValue 1.1.0; "3.0" has 1, which the exact decimal cannot show), the precision the
-- consistency rules allow for (int_cbam__default_values_checked); for rows loaded before 1.1.0, the
-- decimals of the exact value (macro published_scale).

with

source as (

    select * from {{ source('raw', 'cbam__default_values') }}

),

country_codes as (

    select
        country_code,
        is_other_countries,
        cbam_default_value_country_name

    from {{ ref('country_codes') }}
    where cbam_default_value_country_name is not null

),

renamed as (

    select
        source.tenant_id,
        {{ dbt.string_literal(var('cbam_default_value_publication')) }} as publication,
        trim(source.country) as country_name_published,
        country_codes.country_code,
        coalesce(country_codes.is_other_countries, false) as is_other_countries,
        trim(source.sector) as sector,
        replace(trim(source.product_cn_code), ' ', '') as cn_code,
        cast(length(replace(trim(source.product_cn_code), ' ', '')) as integer) as cn_code_length,
        trim(source.description) as description,
        {{ to_decimal('source.default_value_direct') }} as default_value_direct,
        {{ to_decimal('source.default_value_indirect') }} as default_value_indirect,
        {{ to_decimal('source.default_value_total') }} as default_value_total,
        {{ to_decimal('source.default_value_2026') }} as default_value_2026,
        {{ to_decimal('source.default_value_2027') }} as default_value_2027,
        {{ to_decimal('source.default_value_2028') }} as default_value_2028,
        {%- for figure in ['direct', 'indirect', 'total', '2026', '2027', '2028'] %}
        {{ published_scale('source.default_value_' ~ figure ~ '_published', 'source.default_value_' ~ figure) }} as default_value_{{ figure }}_scale,
        {%- endfor %}
        nullif(trim(source.production_route), '') as production_route,
        {{ provenance_columns('source') }}

    from source
    left join country_codes
        on trim(source.country) = country_codes.cbam_default_value_country_name

),

final as (

    select
        {{ surrogate_key(['publication', 'country_name_published', 'cn_code', 'description']) }}
            as default_value_id,
        *

    from renamed

)

select * from final
