-- Energy consumption of own operations in MWh, classified as ESRS E1-5 asks (Delegated Regulation
-- (EU) 2023/2772, ESRS E1 §37-38): fossil / nuclear / renewable, and within fossil by fuel (coal
-- and coal products, crude oil and petroleum products, natural gas, other fossil) and purchased
-- electricity, heat, steam and cooling.
-- * Fuels (fuel records, natural-gas meters): the quantity in the unit of the Scope 1 factor set
--   used (int_ghg__emissions) x kWh(net CV) per unit of that set (int_ghg__fuel_energy_content);
--   category from ghg_fuels (esrs_fuel_category, energy_source). basis 'fuel_net_cv'.
-- * Purchased electricity (metered): the part covered by renewable contractual instruments (GO,
--   REGO, PPA; int_ghg__instrument_allocations) is renewable (basis 'contractual_instrument'); the
--   rest follows the shares of the residual mix of the country that the market-based Scope 2 uses
--   (int_ghg__residual_mixes: AIB, the reporting year's or the latest earlier; basis 'residual_mix')
--   when the publication gives shares, else it is counted as fossil (basis 'assumed_fossil', reported
--   in rpt_esrs_e1_5_energy so the assumption is visible).
-- * Purchased district heat: fossil (basis 'assumed_fossil': no heat mix data).
-- * On-site renewable electricity consumed on site: renewable, self-generated (basis 'metered').
-- One row per (activity, part).
-- The parts: int_ghg__energy_consumption_fuels, int_ghg__energy_consumption_electricity and
-- int_ghg__energy_consumption_other_metered; parts of 0 MWh are left out.

with

fuels as (

    select * from {{ ref('int_ghg__energy_consumption_fuels') }}

),

electricity_parts as (

    select * from {{ ref('int_ghg__energy_consumption_electricity') }}

),

other_metered as (

    select * from {{ ref('int_ghg__energy_consumption_other_metered') }}

),

unioned as (

    select * from fuels
    union all
    select * from electricity_parts
    union all
    select * from other_metered

),

final as (

    select
        {{ surrogate_key(['activity_id', 'esrs_source', 'esrs_category', 'basis']) }} as energy_consumption_id,
        activity_id,
        tenant_id,
        facility_id,
        activity_date,
        reporting_year,
        activity_type,
        energy_category,
        esrs_source,
        esrs_category,
        basis,
        mwh

    from unioned
    where mwh <> 0

)

select * from final
