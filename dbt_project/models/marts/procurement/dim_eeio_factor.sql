-- Spend-based emission factors (kg CO2e per currency unit of a price year) that fact rows point to
-- through eeio_factor_id (docs/architecture.md, "Provenance"): U.S. EPA Supply Chain GHG Emission Factors
-- for US Industries and Commodities v1.3.0 (NAICS-6, kg CO2e per 2022 USD, purchaser price).

with

factors as (

    select * from {{ ref('eeio_factors_usepa') }}

),

final as (

    select
        {{ surrogate_key(['publication', 'naics_code']) }} as eeio_factor_id,
        publication,
        naics_code,
        naics_title,
        ghg,
        unit,
        price_year,
        currency,
        sef_without_margins,
        margins,
        sef_with_margins,
        reference_useeio_code

    from factors

)

select * from final
