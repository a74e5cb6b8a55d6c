-- The validity history of the factor store is consistent: exactly one current row per (tenant,
-- publisher, edition, publisher factor id, gas); a closed row ends when (or after) it starts.
with

factors as (

    select * from {{ ref('dim_emission_factor') }}

),

current_counts as (

    select
        tenant_id,
        publisher,
        edition,
        publisher_factor_id,
        gas,
        sum(case when is_current then 1 else 0 end) as current_rows

    from factors
    group by tenant_id, publisher, edition, publisher_factor_id, gas

)

select
    tenant_id,
    publisher,
    edition,
    publisher_factor_id,
    gas,
    'not exactly one current row' as problem

from current_counts
where current_rows <> 1

union all

select
    tenant_id,
    publisher,
    edition,
    publisher_factor_id,
    gas,
    'valid_to before valid_from' as problem

from factors
where valid_to < valid_from
