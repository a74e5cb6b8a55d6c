-- Every published CBAM default value row (Implementing Regulation (EU) 2025/2621, latest load per id)
-- with the result of each consistency rule; int_cbam__default_values_checked decides from them which
-- figures may be used.
--
-- Rules (NULL = not checkable because a figure is missing):
--   rule_values_present  direct, total and the 2026/2027/2028 values are published, and the indirect
--                        value too for sectors that count indirect emissions (cement, fertilisers:
--                        Annex II of Regulation (EU) 2023/956 lists the direct-only goods).
--   rule_total_is_sum    |direct + indirect - total| <= h(direct) + h(indirect) + h(total)
--   rule_markup_<year>   |value_<year> - total * factor| <= h(value_<year>) + factor * h(total);
--                        factor 1.10 / 1.20 / 1.30 for 2026 / 2027 / 2028 and 1.01 in every year for
--                        fertilisers (mark-up of IR (EU) 2025/2621).
--   rule_total_positive  total > 0: a zero default value would declare no embedded emissions.
-- h(x) = half a unit in the last decimal place of x AS PUBLISHED (default_value_<x>_scale of the
-- staging, from the published text): each figure is rounded on its own, so a sum or product of
-- rounded figures may differ from the rounded result by up to the sum of the half units, e.g.
-- urea 0.9 + 0.05 = 0.95 vs total 0.94: |0.01| <= 0.05 + 0.005 + 0.005.

with

default_values as (

    select * from {{ ref('stg_cbam__default_values') }}

),

sectors as (

    select distinct
        cbam_sector,
        direct_emissions_only

    from {{ ref('cbam_good_categories') }}
    where cbam_sector is not null

),

ranked_loads as (

    {{ latest_per_key('default_values', partition_by=['default_value_id'], rank_column='load_recency') }}

),

current_rows as (

    select
        ranked_loads.*,
        coalesce(sectors.direct_emissions_only, false) as direct_emissions_only

    from ranked_loads
    left join sectors
        on ranked_loads.sector = sectors.cbam_sector

),

tolerances as (

    select
        current_rows.*,
        {%- for figure in ['direct', 'indirect', 'total', '2026', '2027', '2028'] %}
        {{ half_unit_in_last_place('default_value_' ~ figure ~ '_scale') }} as half_unit_{{ figure }},
        {%- endfor %}
        {{ cbam_markup_factor('sector', 2026) }} as markup_factor_2026,
        {{ cbam_markup_factor('sector', 2027) }} as markup_factor_2027,
        {{ cbam_markup_factor('sector', 2028) }} as markup_factor_2028

    from current_rows

),

checked as (

    select
        tolerances.*,

        (
            default_value_direct is not null
            or default_value_indirect is not null
            or default_value_total is not null
            or default_value_2026 is not null
            or default_value_2027 is not null
            or default_value_2028 is not null
        ) as is_published,

        (
            default_value_direct is not null
            and default_value_total is not null
            and default_value_2026 is not null
            and default_value_2027 is not null
            and default_value_2028 is not null
            and (direct_emissions_only or default_value_indirect is not null)
        ) as rule_values_present,

        case
            when default_value_direct is not null and default_value_total is not null
                then abs(default_value_direct + coalesce(default_value_indirect, 0) - default_value_total)
                    <= half_unit_direct + half_unit_indirect + half_unit_total
        end as rule_total_is_sum,

        {% for year in [2026, 2027, 2028] %}
        case
            when default_value_{{ year }} is not null and default_value_total is not null
                then abs(default_value_{{ year }} - default_value_total * markup_factor_{{ year }})
                    <= half_unit_{{ year }} + markup_factor_{{ year }} * half_unit_total
        end as rule_markup_{{ year }},
        {% endfor %}

        case
            when default_value_total is not null then default_value_total > 0
        end as rule_total_positive

    from tolerances

),

final as (

    select
        default_value_id,
        tenant_id,
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
        default_value_direct_scale,
        default_value_indirect_scale,
        default_value_total_scale,
        default_value_2026_scale,
        default_value_2027_scale,
        default_value_2028_scale,
        production_route,
        {{ to_decimal('markup_factor_2026') }} as markup_factor_2026,
        {{ to_decimal('markup_factor_2027') }} as markup_factor_2027,
        {{ to_decimal('markup_factor_2028') }} as markup_factor_2028,
        is_published,
        rule_values_present,
        rule_total_is_sum,
        rule_markup_2026,
        rule_markup_2027,
        rule_markup_2028,
        rule_total_positive,
        _batch_id,
        _source_uri,
        _source_row,
        _row_sha256,
        _ingested_at

    from checked

)

select * from final
