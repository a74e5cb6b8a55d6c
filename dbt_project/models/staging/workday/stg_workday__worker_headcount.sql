-- Workday headcount report (RaaS): workers per location, cost center and worker type as of a report
-- date; a report read whole on every sync. One row per (tenant_id, report_date, location,
-- cost_center, worker_type): the latest load (_ingested_at, then _source_row, then _batch_id).

with

source as (

    select * from {{ source('raw', 'workday__worker_headcount') }}

),

renamed as (

    select
        tenant_id,
        cast(report_date as date) as report_date,
        trim(location) as location,
        trim(cost_center) as cost_center,
        trim(worker_type) as worker_type,
        cast(headcount as integer) as headcount,
        {{ to_decimal('fte') }} as fte,
        {{ provenance_columns() }}

    from source

),

versions as (

    {{ latest_per_key(
        'renamed',
        partition_by=['tenant_id', 'report_date', 'location', 'cost_center', 'worker_type'],
                rank_column='version_recency'
    ) }}

),

final as (

    select
        {{ surrogate_key(['tenant_id', 'report_date', 'location', 'cost_center', 'worker_type']) }}
            as headcount_key,
        tenant_id,
        report_date,
        location,
        cost_center,
        worker_type,
        headcount,
        fte,
        _batch_id,
        _source_uri,
        _source_row,
        _row_sha256,
        _ingested_at

    from versions

)

select * from final
