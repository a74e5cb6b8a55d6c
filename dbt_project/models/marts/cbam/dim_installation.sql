-- Producing installations named on import lines, per tenant. origin_country is the country of the
-- latest import line naming the installation.

with

import_lines as (

    select * from {{ ref('int_cbam__embedded_emissions') }}
    where installation_id is not null

),

ranked as (

    select
        installation_key,
        tenant_id,
        installation_id,
        origin_country,
        import_date,
        row_number() over (
            partition by installation_key
            order by import_date desc, declaration_id desc, declaration_line desc
        ) as recency

    from import_lines

),

spans as (

    select
        installation_key,
        min(import_date) as first_import_date,
        max(import_date) as last_import_date,
        count(*) as import_line_count

    from import_lines
    group by installation_key

),

final as (

    select
        ranked.installation_key,
        ranked.tenant_id,
        ranked.installation_id,
        ranked.origin_country,
        spans.first_import_date,
        spans.last_import_date,
        cast(spans.import_line_count as bigint) as import_line_count

    from ranked
    inner join spans
        on ranked.installation_key = spans.installation_key
    where ranked.recency = 1

)

select * from final
