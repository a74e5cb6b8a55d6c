-- The factor store (int_ghg__emission_factors): every emission factor of every publisher (DESNZ,
-- EPA, Ember, AIB residual mixes, tenants' contractual instruments) and every version, with its
-- validity (a restated row is closed by the later version, valid_to) and its value in kg CO2e per
-- unit on the GWP basis of the build (var ghg_gwp_basis, AR5 by default). fct_ghg_emissions.emission_factor_id
-- references the exact row used (docs/architecture.md, "Provenance").

with

factors as (

    select * from {{ ref('int_ghg__emission_factors') }}

),

final as (

    select
        emission_factor_id,
        factor_set_id,
        tenant_id,
        publisher,
        edition,
        version,
        publisher_factor_id,
        scope_published,
        level_1,
        level_2,
        level_3,
        level_4,
        column_text,
        activity_path,
        factor_match_key,
        region,
        unit,
        unit_code,
        calorific_basis,
        gas,
        published_value,
        published_unit,
        published_gwp_basis,
        value_kind,
        value,
        gwp_basis,
        factor_year,
        valid_from,
        valid_to,
        is_current,
        has_complete_gas_breakdown,
        is_used_for_totals,
        _batch_id,
        _source_row

    from factors

)

select * from final
