-- Energy consumption of other meters in MWh, for ESRS E1-5: purchased district heat is fossil
-- (basis 'assumed_fossil': no heat mix data); on-site renewable electricity consumed on site is
-- renewable, self-generated (basis 'metered'). One row per activity.

with

activities as (

    select * from {{ ref('int_ghg__activities') }}
    where quantity_status = 'present'

),

final as (

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

)

select * from final
