-- Published CBAM default values (IR (EU) 2025/2621, dim_cbam_default_value) that break a consistency
-- rule of int_cbam__default_values_checked: one row per (default value, broken rule), with the figures
-- of the row that are therefore not used (disqualified_figures: a broken 2028 mark-up disqualifies the
-- 2028 value only; a broken sum every figure). Rows with no published figure at all (the country has
-- no specific value: the "other countries" value applies) are not issues.

with

default_values as (

    select * from {{ ref('dim_cbam_default_value') }}
    where is_published

),

{%- set rules = [
    ('values_present', 'rule_values_present',
     'direct, total and 2026-2028 values published (and indirect for cement and fertilisers, Annex II of Regulation (EU) 2023/956)'),
    ('total_is_sum', 'rule_total_is_sum',
     'direct + indirect = total within the rounding of the published figures'),
    ('markup_2026', 'rule_markup_2026',
     '2026 value = total x 1.10 (fertilisers 1.01) within rounding, IR (EU) 2025/2621'),
    ('markup_2027', 'rule_markup_2027',
     '2027 value = total x 1.20 (fertilisers 1.01) within rounding, IR (EU) 2025/2621'),
    ('markup_2028', 'rule_markup_2028',
     '2028 value = total x 1.30 (fertilisers 1.01) within rounding, IR (EU) 2025/2621'),
    ('total_positive', 'rule_total_positive',
     'total > 0: a zero default value declares no embedded emissions'),
] %}

broken_rules as (
    {%- for rule, column, text in rules %}

    select
        default_value_id,
        '{{ rule }}' as broken_rule,
        '{{ text }}' as rule_description

    from default_values
    where not {{ column }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

final as (

    select
        broken_rules.default_value_id,
        broken_rules.broken_rule,
        broken_rules.rule_description,
        default_values.disqualified_figures,
        default_values.publication,
        default_values.country_name_published,
        default_values.country_code,
        default_values.sector,
        default_values.cn_code,
        default_values.description,
        default_values.default_value_direct,
        default_values.default_value_indirect,
        default_values.default_value_total,
        default_values.default_value_2026,
        default_values.default_value_2027,
        default_values.default_value_2028,
        default_values._batch_id,
        default_values._source_row

    from broken_rules
    inner join default_values
        on broken_rules.default_value_id = default_values.default_value_id

)

select * from final
