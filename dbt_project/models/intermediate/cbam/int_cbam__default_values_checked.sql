-- Every published CBAM default value row (Implementing Regulation (EU) 2025/2621) with the rules of
-- int_cbam__default_value_rules and which of its figures may be used: a broken rule disqualifies only
-- the figures it involves (rpt_cbam_default_value_issues lists them), so a broken 2028 value leaves the
-- 2026 value of the row in use for 2026 imports.
--
-- Figures used (a rule disqualifies the figures it involves, nothing else):
--   are_base_figures_usable  direct, indirect (where counted) and total published, total_is_sum and
--                            total_positive hold: the figures of the actual-plus-default indirect
--                            method and the base of every year value.
--   is_usable_<year>         the base figures are usable, the year value is published and its
--                            mark-up rule holds: the figure used for imports of that year.
--   is_usable                every figure usable (the row is sound throughout).

{%- set base_figures_usable %}
    coalesce(
        default_value_direct is not null
        and default_value_total is not null
        and (direct_emissions_only or default_value_indirect is not null)
        and rule_total_is_sum
        and rule_total_positive,
        false
    )
{%- endset %}

with

default_value_rules as (

    select * from {{ ref('int_cbam__default_value_rules') }}

),

usable_figures as (

    select
        default_value_rules.*,
        {{ base_figures_usable }} as are_base_figures_usable,
        {%- for year in [2026, 2027, 2028] %}
        coalesce({{ base_figures_usable }} and rule_markup_{{ year }}, false) as is_usable_{{ year }}
        {%- if not loop.last %},{% endif %}
        {%- endfor %}

    from default_value_rules

),

final as (

    select
        usable_figures.*,
        case
            when is_published and not (are_base_figures_usable and is_usable_2026 and is_usable_2027 and is_usable_2028)
                then concat_ws(
                    ', ',
                    case when not are_base_figures_usable then 'direct, indirect, total' end,
                    case when not is_usable_2026 then '2026' end,
                    case when not is_usable_2027 then '2027' end,
                    case when not is_usable_2028 then '2028' end
                )
        end as disqualified_figures,
        coalesce(
            rule_values_present
            and rule_total_is_sum
            and rule_markup_2026
            and rule_markup_2027
            and rule_markup_2028
            and rule_total_positive,
            false
        ) as is_usable

    from usable_figures

)

select * from final
