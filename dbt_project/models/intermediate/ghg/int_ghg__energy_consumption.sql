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

allocations as (

    select
        activity_id,
        sum(case when is_renewable then covered_kwh else 0 end) as renewable_covered_kwh

    from {{ ref('int_ghg__instrument_allocations') }}
    group by activity_id

),

residual_mixes as (

    select * from {{ ref('int_ghg__residual_mixes') }}

),

fuels as (

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

),

electricity as (

    select
        activities.*,
        coalesce(allocations.renewable_covered_kwh, 0) as renewable_covered_kwh,
        {{ to_decimal('activities.quantity - coalesce(allocations.renewable_covered_kwh, 0)') }} as uncovered_kwh,
        residual_mixes.fossil_share,
        residual_mixes.nuclear_share,
        residual_mixes.renewable_share

    from activities
    left join allocations
        on activities.activity_id = allocations.activity_id
    left join residual_mixes
        on activities.country_code = residual_mixes.country_code
        and activities.reporting_year = residual_mixes.reporting_year
    where activities.activity_type = 'metered_electricity'

),

{%- set electricity_parts = [
    ('renewable', 'renewable_purchased_energy', 'contractual_instrument', 'renewable_covered_kwh', none),
    ('fossil', 'fossil_purchased_energy', 'residual_mix', 'uncovered_kwh', 'fossil_share'),
    ('nuclear', 'nuclear_purchased_energy', 'residual_mix', 'uncovered_kwh', 'nuclear_share'),
    ('renewable', 'renewable_purchased_energy', 'residual_mix', 'uncovered_kwh', 'renewable_share'),
] %}

electricity_parts as (

    {%- for source, category, basis, kwh, share in electricity_parts %}

    select
        activity_id,
        tenant_id,
        facility_id,
        activity_date,
        reporting_year,
        activity_type,
        'purchased_electricity' as energy_category,
        '{{ source }}' as esrs_source,
        '{{ category }}' as esrs_category,
        '{{ basis }}' as basis,
        {% if share -%}
        {{ ghg_multiply(ghg_multiply(kwh, share), '0.001') }} as mwh
        {%- else -%}
        {{ ghg_multiply(kwh, '0.001') }} as mwh
        {%- endif %}

    from electricity
    {% if share -%} where fossil_share is not null {%- endif %}

    union all
    {%- endfor %}

    select
        activity_id,
        tenant_id,
        facility_id,
        activity_date,
        reporting_year,
        activity_type,
        'purchased_electricity' as energy_category,
        'fossil' as esrs_source,
        'fossil_purchased_energy' as esrs_category,
        'assumed_fossil' as basis,
        {{ ghg_multiply('uncovered_kwh', '0.001') }} as mwh

    from electricity
    where fossil_share is null

),

other_metered as (

    select
        activity_id,
        tenant_id,
        facility_id,
        activity_date,
        reporting_year,
        activity_type,
        case
            when activity_type = 'metered_district_heat' then 'purchased_heat'
            else 'self_generated_electricity'
        end as energy_category,
        case when activity_type = 'metered_district_heat' then 'fossil' else 'renewable' end as esrs_source,
        case
            when activity_type = 'metered_district_heat' then 'fossil_purchased_energy'
            else 'renewable_self_generated'
        end as esrs_category,
        case when activity_type = 'metered_district_heat' then 'assumed_fossil' else 'metered' end as basis,
        {{ ghg_multiply('quantity', '0.001') }} as mwh

    from activities
    where activity_type in ('metered_district_heat', 'metered_onsite_renewable_electricity')

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
