-- Energy content (kWh on the net calorific basis) per unit of each DESNZ fuel factor set, derived
-- from the publication itself: DESNZ computes a fuel's factors per litre / tonne / m3 / kWh (Gross
-- CV) from the same carbon content and calorific values, so
--     kWh(net) per unit = CO2e factor per unit / CO2e factor per reference energy unit
--                         x (reference energy unit -> kWh),
-- the reference being the fuel's set on the net basis (kWh (Net CV) for fuels; GJ or kWh for
-- bioenergy, which DESNZ publishes on the net basis). E.g. diesel (average biofuel blend) 2024:
-- 2.51279 / 0.25403 = 9.891666... kWh per litre; natural gas kWh (Gross CV): 0.1829 / 0.20264 =
-- 0.902585... kWh net per kWh gross. Published CO2e totals (value_kind co2e, AR5 as published) are
-- used, so the ratio does not depend on the GWP basis; precision is that of the published factors
-- (5 to 6 significant digits). ESRS E1-5 reports fuel energy on the net calorific value.

with

totals as (

    select * from {{ ref('int_ghg__emission_factors') }}
    where publisher = 'DESNZ'
        and level_1 in ('Fuels', 'Bioenergy')
        and gas = 'CO2e'
        and published_value is not null
        and published_value > 0
        and unit_code is not null

),

conversions as (

    select * from {{ ref('int_ghg__unit_conversions') }}
    where to_unit_code = 'kWh'

),

references_ranked as (

    select
        totals.publisher,
        totals.edition,
        totals.version,
        totals.factor_match_key,
        totals.unit_code as reference_unit_code,
        totals.published_value as reference_value,
        conversions.factor as reference_kwh_per_unit,
        row_number() over (
            partition by totals.publisher, totals.edition, totals.version, totals.factor_match_key
            order by case totals.unit_code when 'kWh' then 0 when 'GJ' then 1 else 2 end
        ) as reference_rank

    from totals
    inner join conversions
        on totals.unit_code = conversions.from_unit_code
    where totals.calorific_basis = 'net'

),

final as (

    select
        totals.factor_set_id,
        totals.publisher,
        totals.edition,
        totals.version,
        totals.factor_match_key,
        totals.unit_code,
        totals.calorific_basis,
        references_ranked.reference_unit_code,
        {{ decimal_divide(
            ghg_multiply('totals.published_value', 'references_ranked.reference_kwh_per_unit'),
            'references_ranked.reference_value'
        ) }} as kwh_net_per_unit

    from totals
    inner join references_ranked
        on totals.publisher = references_ranked.publisher
        and totals.edition = references_ranked.edition
        and totals.version = references_ranked.version
        and totals.factor_match_key = references_ranked.factor_match_key
        and references_ranked.reference_rank = 1

)

select * from final
