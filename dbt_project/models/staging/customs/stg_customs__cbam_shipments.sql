-- Customs import lines of CBAM goods: renamed, cast, codes normalised (trimmed, upper-case country
-- and EORI, CN code without blanks). One row per raw row: deduplication of re-sent lines happens in
-- int_cbam__embedded_emissions. Provenance columns are kept as they are.

with

source as (

    select * from {{ source('raw', 'customs__cbam_shipments') }}

),

renamed as (

    select
        tenant_id,
        upper(trim(declarant_eori)) as declarant_eori,
        declaration_id,
        cast(declaration_line as integer) as declaration_line,
        cast(import_date as date) as import_date,
        replace(trim(cn_code), ' ', '') as cn_code,
        upper(trim(origin_country)) as origin_country,
        {{ to_decimal('net_mass_tonnes') }} as net_mass_tonnes,
        trim(customs_procedure) as customs_procedure,
        nullif(installation_id, '') as installation_id,
        {{ to_decimal('actual_direct_see') }} as actual_direct_see,
        {{ to_decimal('actual_indirect_see') }} as actual_indirect_see,
        {{ to_decimal('electricity_consumed_mwh') }} as electricity_consumed_mwh,
        {{ to_decimal('carbon_price_paid_eur') }} as carbon_price_paid_eur,
        nullif(trim(production_route), '') as production_route,
        {{ provenance_columns() }}

    from source

),

final as (

    select * from renamed

)

select * from final
