-- Net revenue per tenant and fiscal year (stg_finance__net_revenue: a restated figure replaces the
-- earlier one), the denominator of the ESRS E1-6 GHG intensity (E1 §53). Currency ISO 4217.

with

revenue as (

    select * from {{ ref('stg_finance__net_revenue') }}

),

final as (

    select
        {{ surrogate_key(['tenant_id', 'fiscal_year']) }} as net_revenue_key,
        tenant_id,
        fiscal_year,
        net_revenue,
        currency,
        _batch_id,
        _source_row,
        _ingested_at

    from revenue

)

select * from final
