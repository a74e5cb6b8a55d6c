-- Energy consumption of fuels (fuel records, natural-gas meters) in MWh, for ESRS E1-5: the quantity
-- in the unit of the Scope 1 factor set used (int_ghg__emissions) x kWh(net CV) per unit of that set
-- (int_ghg__fuel_energy_content); category from ghg_fuels (esrs_fuel_category, energy_source).
-- basis 'fuel_net_cv'. One row per fuel activity with a matched factor.

with

activities as (

    select * from {{ ref('int_ghg__activities') }}
    where quantity_status = 'present'

),

fuel_quantities as (

    select distinct
        request_id,
        activity_id,
        factor_set_id,
        factor_quantity

    from {{ ref('int_ghg__emissions') }}
    where method in ('stationary_combustion', 'mobile_combustion')
        and factor_status = 'matched'

),

energy_content as (

    select * from {{ ref('int_ghg__fuel_energy_content') }}

),

final as (

    select
        activities.activity_id,
        activities.tenant_id,
        activities.facility_id,
        activities.activity_date,
        activities.reporting_year,
        activities.activity_type,
        'fuel' as energy_category,
        coalesce(activities.energy_source, 'fossil') as esrs_source,
        activities.esrs_fuel_category as esrs_category,
        'fuel_net_cv' as basis,
        {{ ghg_multiply(
            ghg_multiply('fuel_quantities.factor_quantity', 'energy_content.kwh_net_per_unit'),
            '0.001'
        ) }} as mwh

    from activities
    inner join fuel_quantities
        on activities.activity_id = fuel_quantities.activity_id
    inner join energy_content
        on fuel_quantities.factor_set_id = energy_content.factor_set_id
    where activities.activity_type in ('stationary_fuel', 'mobile_fuel', 'metered_natural_gas')

)

select * from final
