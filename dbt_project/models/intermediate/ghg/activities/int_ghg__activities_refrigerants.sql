-- Refrigerant top-ups as activities (the screening method's leaked quantity, kg), with the DESNZ
-- "Refrigerant & other" names of the substance from the ghg_gwp_values seed.

with

records as (

    select * from {{ ref('stg_fuels__refrigerant_records') }}

),

refrigerants as (

    select * from {{ ref('ghg_gwp_values') }}
    where coalesce(refrigerant_key, '') <> ''

),

final as (

    select
        {{ surrogate_key(["'fuels__refrigerant_records'", 'records.tenant_id', 'records.record_id']) }} as activity_id,
        'fuels__refrigerant_records' as activity_source,
        records.tenant_id || '/' || records.record_id as activity_reference,
        'refrigerant' as activity_type,
        records.tenant_id,
        records.site_id,
        records.record_date as activity_date,
        records.refrigerant as activity_item,
        refrigerants.gas_key as fuel_key,
        'Refrigerant & other' as desnz_level_1,
        refrigerants.desnz_level_2,
        refrigerants.desnz_name as desnz_level_3,
        records.topped_up_kg as quantity,
        'kg' as unit,
        'kg' as unit_code,
        'mass' as dimension,
        'known' as unit_status,
        case when refrigerants.gas_key is null then 'unknown_refrigerant' else 'known' end as code_status,
        case when records.topped_up_kg is null then 'missing' else 'present' end as quantity_status,
        records._batch_id,
        records._source_row,
        records._ingested_at

    from records
    left join refrigerants
        on records.refrigerant_key = refrigerants.refrigerant_key

)

select * from final
