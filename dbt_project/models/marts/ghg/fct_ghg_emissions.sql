-- GHG emissions, grain: activity record x method x gas (int_ghg__emissions). Each activity feeds
-- every method it belongs to (a litre of diesel: Scope 1 combustion and Scope 3 cat 3 well-to-tank;
-- a metered kWh: Scope 2 location-based and market-based, cat 3 WTT and T&D losses); within a method
-- the rows are per gas (CO2, CH4, N2O) when the factor set publishes them, else one CO2e row, so
-- that sum(emissions_tco2e) over a scope and method never double counts. Scope 2 location-based
-- and market-based are alternative totals of the same electricity: never add them up.
-- Scope 3 category 1 (spend-based) rows come from the ERP purchase lines (int_ghg__emissions_spend_based).
-- Built as a table (not incremental): a restated factor or a new GWP basis changes past rows.
-- Provenance: _batch_id -> raw.load_batch, _source_row; emission_factor_id -> dim_emission_factor
-- (publisher, edition, version, publisher's factor id); factor_status 'missing' rows keep the
-- activity with NULL emissions. factor_path: the publication path of the factor (int_ghg__emissions;
-- spend-based rows 'eeio_spend', their jurisdiction not evaluated: factor_jurisdiction_mismatch NULL).

with

emissions as (

    select * from {{ ref('int_ghg__emissions') }}
    union all
    select
        *,
        'eeio_spend' as factor_path,
        cast(null as boolean) as factor_jurisdiction_mismatch

    from {{ ref('int_ghg__emissions_spend_based') }}

),

final as (

    select
        ghg_emission_id,
        tenant_id,
        activity_id,
        activity_source,
        activity_reference,
        activity_type,
        facility_id,
        activity_date,
        reporting_year,
        scope,
        scope_3_category,
        method,
        market_basis,
        request_part,
        gas,
        activity_quantity,
        activity_unit,
        quantity,
        unit_code,
        factor_quantity,
        factor_unit_code,
        emission_factor_id,
        emission_factor_value,
        gwp_basis,
        factor_year,
        factor_year_match,
        factor_status,
        emissions_kg,
        emissions_tco2e,
        calculation_note,
        factor_path,
        factor_jurisdiction_mismatch,
        _batch_id,
        _source_row,
        _ingested_at

    from emissions

)

select * from final
