-- The ERP reference seeds are keyed as the models join them: one unit row per (system, code), one
-- kind, base unit and factor per Rec 20 code, one rate per (currency, month), one category row per
-- (tenant, system, match key), one industry per supplier, one CN code per (tenant, system,
-- material), 8-digit CN codes, 6-digit NAICS codes, and an installation belongs to one supplier.
with

unit_keys as (

    select 'unit_conversions: duplicate (source_system, source_unit_code)' as problem,
        source_system || '/' || source_unit_code as item
    from {{ ref('unit_conversions') }}
    group by source_system, source_unit_code
    having count(*) > 1

),

unit_factors as (

    select 'unit_conversions: one Rec 20 code, several kinds or factors' as problem, rec20_code as item
    from {{ ref('unit_conversions') }}
    group by rec20_code
    having count(distinct quantity_kind) > 1
        or count(distinct base_unit) > 1
        or count(distinct factor_to_base_unit) > 1

),

fx_keys as (

    select 'fx_rates: duplicate (currency, rate_month)' as problem,
        currency || '/' || cast(rate_month as {{ dbt.type_string() }}) as item
    from {{ ref('fx_rates') }}
    group by currency, rate_month
    having count(*) > 1

),

fx_months as (

    select 'fx_rates: rate_month is not the first day of a month' as problem,
        currency || '/' || cast(rate_month as {{ dbt.type_string() }}) as item
    from {{ ref('fx_rates') }}
    where {{ day_of_month('rate_month') }} <> 1
        or cast({{ dbt.date_trunc('month', 'reference_date') }} as date) <> rate_month

),

{% for seed, keys in [
    ('spend_category_map', ['tenant_id', 'source_system', 'match_on', 'match_value']),
    ('supplier_industry_codes', ['tenant_id', 'source_system', 'supplier']),
    ('material_cn_codes', ['tenant_id', 'source_system', 'material']),
] %}
{{ seed }}_keys as (

    select '{{ seed }}: duplicate ({{ keys | join(", ") }})' as problem,
        {{ keys | join(" || '/' || ") }} as item
    from {{ ref(seed) }}
    group by {{ keys | join(", ") }}
    having count(*) > 1

),

{% endfor %}
{% for seed, column, digits in [
    ('material_cn_codes', 'cn_code', 8),
    ('spend_category_map', 'naics_code', 6),
    ('supplier_industry_codes', 'naics_code', 6),
] %}
{{ seed }}_code_shape as (

    select '{{ seed }}: {{ column }} is not {{ digits }} digits' as problem, {{ column }} as item
    from {{ ref(seed) }}
    where length({{ column }}) <> {{ digits }}
        or {% for digit in range(10) %}replace({% endfor %}{{ column }}
            {%- for digit in range(10) %}, '{{ digit }}', ''){% endfor %} <> ''

),

{% endfor %}
installation_keys as (

    select 'supplier_installations: installation with several suppliers' as problem,
        tenant_id || '/' || source_system || '/' || installation_id as item
    from {{ ref('supplier_installations') }}
    group by tenant_id, source_system, installation_id
    having count(*) > 1

)

select * from unit_keys
union all select * from unit_factors
union all select * from fx_keys
union all select * from fx_months
union all select * from spend_category_map_keys
union all select * from supplier_industry_codes_keys
union all select * from material_cn_codes_keys
union all select * from material_cn_codes_code_shape
union all select * from spend_category_map_code_shape
union all select * from supplier_industry_codes_code_shape
union all select * from installation_keys
