-- Monthly headcount per site as activities (employee.month), the activity of the commuting
-- average-data method (int_ghg__emission_requests_commuting).

with

headcount as (

    select * from {{ ref('stg_hr__headcount') }}

),

final as (

    select
        {{ surrogate_key(["'hr__headcount'", 'tenant_id', 'period', 'site_id']) }} as activity_id,
        'hr__headcount' as activity_source,
        tenant_id || '/' || site_id || '/' || cast(period as {{ dbt.type_string() }}) as activity_reference,
        'headcount' as activity_type,
        tenant_id,
        site_id,
        period as activity_date,
        'employees' as activity_item,
        {{ to_decimal('headcount') }} as quantity,
        'employee.month' as unit,
        'employee.month' as unit_code,
        'headcount' as dimension,
        'known' as unit_status,
        'known' as code_status,
        case when headcount is null then 'missing' else 'present' end as quantity_status,
        _batch_id,
        _source_row,
        _ingested_at

    from headcount

)

select * from final
