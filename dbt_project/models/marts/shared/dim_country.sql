-- Countries: ISO 3166-1 alpha-2 codes from the country_codes seed, plus the pseudo row XX for the
-- "Other countries and territories" default values of IR (EU) 2025/2621.

with

country_codes as (

    select * from {{ ref('country_codes') }}

),

final as (

    select
        country_code,
        country_name,
        is_iso_3166_1,
        is_eu_member_state,
        is_cbam_annex_iii_country,
        is_other_countries,
        cbam_default_value_country_name

    from country_codes

)

select * from final
