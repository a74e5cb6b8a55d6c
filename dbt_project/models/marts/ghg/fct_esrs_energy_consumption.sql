-- Energy consumption of own operations in MWh per activity and part, classified for ESRS E1-5
-- (int_ghg__energy_consumption: fossil / nuclear / renewable, the fuel categories of §38,
-- purchased vs self-generated, and the basis of the classification). The mart rpt_esrs_e1_5_energy
-- reads.

with

energy as (

    select * from {{ ref('int_ghg__energy_consumption') }}

),

final as (

    select
        energy_consumption_id,
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

    from energy

)

select * from final
