-- Declarants (EORI numbers, Article 5 of Regulation (EU) 2023/956) per tenant.

with

import_lines as (

    select * from {{ ref('int_cbam__embedded_emissions') }}

),

final as (

    select
        declarant_key,
        tenant_id,
        declarant_eori,
        min(import_date) as first_import_date,
        max(import_date) as last_import_date,
        cast(count(*) as bigint) as import_line_count

    from import_lines
    group by declarant_key, tenant_id, declarant_eori

)

select * from final
