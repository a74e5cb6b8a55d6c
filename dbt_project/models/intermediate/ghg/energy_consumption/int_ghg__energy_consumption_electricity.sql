-- Energy consumption of purchased electricity (metered) in MWh, for ESRS E1-5: the part covered by
-- renewable contractual instruments (GO, REGO, PPA; int_ghg__instrument_allocations) is renewable
-- (basis 'contractual_instrument'); the rest follows the shares of the residual mix of the country
-- that the market-based Scope 2 uses (int_ghg__residual_mixes: AIB, the reporting year's or the
-- latest earlier; basis 'residual_mix') when the publication gives shares, else it is counted as
-- fossil (basis 'assumed_fossil', reported in rpt_esrs_e1_5_energy so the assumption is visible).
-- One row per (activity, part); parts of 0 MWh are left out in int_ghg__energy_consumption.

with

activities as (

    select * from {{ ref('int_ghg__activities') }}
    where quantity_status = 'present'

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

final as (

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

)

select * from final
