-- The versioned default-value rows (publication, country, CN code, description) that fact rows point
-- to through default_value_id (docs/architecture.md, "Provenance"), with the rule results of
-- int_cbam__default_values_checked. Implementing Regulation (EU) 2025/2621.

with

default_values as (

    select * from {{ ref('int_cbam__default_values_checked') }}

),

final as (

    select
        default_value_id,
        publication,
        country_name_published,
        country_code,
        is_other_countries,
        sector,
        direct_emissions_only,
        cn_code,
        cn_code_length,
        description,
        default_value_direct,
        default_value_indirect,
        default_value_total,
        default_value_2026,
        default_value_2027,
        default_value_2028,
        production_route,
        is_published,
        rule_values_present,
        rule_total_is_sum,
        rule_markup_2026,
        rule_markup_2027,
        rule_markup_2028,
        rule_total_positive,
        are_base_figures_usable,
        is_usable_2026,
        is_usable_2027,
        is_usable_2028,
        disqualified_figures,
        is_usable,
        _batch_id,
        _source_row,
        _row_sha256

    from default_values

)

select * from final
