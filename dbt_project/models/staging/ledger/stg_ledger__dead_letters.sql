-- Rejected records, one row each, with what the contract said: is_missing_value when a required value
-- is absent (the contract's "Field required"), which counts against completeness; any other rejection
-- counts against validity (docs/quality.md).

with

dead_letters as (

    select * from {{ source('raw', 'dead_letter') }}

),

final as (

    select
        batch_id,
        tenant_id,
        source,
        source_row,
        errors like '%Field required%' as is_missing_value

    from dead_letters

)

select * from final
