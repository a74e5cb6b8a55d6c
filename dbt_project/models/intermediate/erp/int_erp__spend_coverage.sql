-- How much of each tenant's purchase spend the spend-based Scope 3 mapping covers, one row per tenant
-- with purchase lines (deleted lines left out): lines and EUR spend in all, mapped to a category (and by
-- which key: material group, G/L account, supplier industry), unmapped, and with spend-based category 1
-- emissions. Shares are of the EUR spend; a line without an EUR amount (no ECB rate) is counted in
-- lines_without_eur_amount and in no spend. The test assert_erp_spend_coverage_unmapped_share warns
-- when a tenant's unmapped share exceeds var('spend_unmapped_share_max'). A part with no line is 0 EUR.

with

lines as (

    select * from {{ ref('int_erp__spend_based_emissions') }}
    where spend_emission_status <> 'deleted'

),

per_tenant as (

    select
        tenant_id,
        count(*) as purchase_lines,
        sum(case when net_amount_eur is null then 1 else 0 end) as lines_without_eur_amount,
        sum(case when mapped_by = 'unmapped' then 1 else 0 end) as unmapped_lines,
        {{ to_decimal('sum(net_amount_eur)') }} as spend_eur,
        {{ to_decimal("sum(case when mapped_by <> 'unmapped' then net_amount_eur else 0 end)") }} as mapped_spend_eur,
        {{ to_decimal("sum(case when mapped_by = 'material_group' then net_amount_eur else 0 end)") }}
            as spend_mapped_by_material_group_eur,
        {{ to_decimal("sum(case when mapped_by = 'gl_account' then net_amount_eur else 0 end)") }}
            as spend_mapped_by_gl_account_eur,
        {{ to_decimal("sum(case when mapped_by = 'supplier_industry' then net_amount_eur else 0 end)") }}
            as spend_mapped_by_supplier_industry_eur,
        {{ to_decimal("sum(case when mapped_by = 'unmapped' then net_amount_eur else 0 end)") }} as unmapped_spend_eur,
        {{ to_decimal("sum(case when spend_emission_status = 'no_factor' then net_amount_eur else 0 end)") }}
            as no_factor_spend_eur,
        {{ to_decimal("sum(case when spend_emission_status = 'eeio_spend' then net_amount_eur else 0 end)") }}
            as spend_with_emissions_eur

    from lines
    group by tenant_id

),

final as (

    select
        per_tenant.*,
        {{ decimal_divide('mapped_spend_eur', 'spend_eur') }} as mapped_spend_share,
        {{ decimal_divide('unmapped_spend_eur', 'spend_eur') }} as unmapped_spend_share,
        {{ decimal_divide('spend_with_emissions_eur', 'spend_eur') }} as emissions_spend_share

    from per_tenant

)

select * from final
