-- Scope 3 category 1 (purchased goods and services), spend-based method (GHG Protocol Technical
-- Guidance for Calculating Scope 3 Emissions, category 1), in the shape of int_ghg__emissions: taken
-- as computed by the ERP models (fct_purchase_lines: spend in EUR -> USD of the purchase year (ECB
-- rates) -> 2022 USD (US CPI-U) x EPA supply chain factor of the category's NAICS code), not computed
-- again. One row per purchase line with spend_emission_status 'eeio_spend' (method spend_based, gas
-- CO2e, emission_factor_id = the factor's row in dim_emission_factor, via int_factors__eeio); a
-- category 1 line whose spend could not be converted (no_fx_rate, no_price_index) or whose category
-- has no factor in the cited EEIO seed (no_factor) keeps a row with factor_status 'missing' and NULL
-- emissions. Deleted lines, other categories and lines without a
-- category are not category 1 spend and get no row.

with

purchase_lines as (

    select * from {{ ref('fct_purchase_lines') }}
    where not is_deleted
        and spend_emission_status in ('eeio_spend', 'no_factor', 'no_fx_rate', 'no_price_index')

),

eeio_factors as (

    select
        {{ surrogate_key(['publication', 'naics_code']) }} as eeio_factor_id,
        {{ surrogate_key(["'USEPA Supply Chain'", 'publication', "'1'", 'naics_code', "'CO2e'"]) }}
            as emission_factor_id

    from {{ ref('eeio_factors_usepa') }}

),

final as (

    select
        {{ surrogate_key(['activity_id', "'spend_based'", "'spend'", "'CO2e'"]) }} as ghg_emission_id,
        {{ surrogate_key(['activity_id', "'spend_based'", "'spend'"]) }} as request_id,
        tenant_id,
        activity_id,
        activity_source,
        activity_reference,
        'purchase' as activity_type,
        cast(null as {{ dbt.type_string() }}) as facility_id,
        reference_date as activity_date,
        reference_year as reporting_year,
        3 as scope,
        1 as scope_3_category,
        'spend_based' as method,
        cast(null as {{ dbt.type_string() }}) as market_basis,
        'spend' as request_part,
        'CO2e' as gas,
        net_amount as activity_quantity,
        currency as activity_unit,
        spend_factor_price_year as quantity,
        'USD (factor price year)' as unit_code,
        spend_factor_price_year as factor_quantity,
        'USD (factor price year)' as factor_unit_code,
        cast(null as {{ dbt.type_string() }}) as factor_set_id,
        emission_factor_id,
        sef_with_margins as emission_factor_value,
        case when spend_emission_status = 'eeio_spend' then 'AR5' end as gwp_basis,
        price_year as factor_year,
        case when spend_emission_status = 'eeio_spend' then 'price_year' end as factor_year_match,
        case when spend_emission_status = 'eeio_spend' then 'matched' else 'missing' end as factor_status,
        scope3_cat1_kgco2e as emissions_kg,
        scope3_cat1_tco2e as emissions_tco2e,
        'spend-based (ERP purchase lines): ' || spend_emission_status as calculation_note,
        _batch_id,
        _source_row,
        _ingested_at

    from (

        select
            purchase_lines.*,
            {{ surrogate_key(["'fct_purchase_lines'", 'purchase_lines.purchase_line_key']) }} as activity_id,
            'fct_purchase_lines:' || purchase_lines.source_system as activity_source,
            purchase_lines.tenant_id || '/' || purchase_lines.source_system || '/'
                || purchase_lines.source_document_id || '/' || purchase_lines.source_line_id as activity_reference,
            eeio_factors.emission_factor_id,
            factors.sef_with_margins,
            factors.price_year

        from purchase_lines
        left join eeio_factors
            on purchase_lines.eeio_factor_id = eeio_factors.eeio_factor_id
        left join {{ ref('eeio_factors_usepa') }} as factors
            on purchase_lines.eeio_factor_id = {{ surrogate_key(['factors.publication', 'factors.naics_code']) }}

    ) as lines

)

select * from final
