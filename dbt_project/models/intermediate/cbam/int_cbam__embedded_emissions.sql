-- Embedded emissions per customs import line of CBAM goods, Article 7 and Annex IV of Regulation
-- (EU) 2023/956, with default values of Implementing Regulation (EU) 2025/2621.
--
-- 1. One row per (tenant_id, declarant_eori, declaration_id, declaration_line): a corrected re-send
--    replaces the earlier version (latest _ingested_at wins).
-- 2. Sector and aggregated goods category: LONGEST matching prefix in cbam_good_categories (Annex I);
--    cbam_good_cn_code: the longest matching code of int_cbam__goods_categorised (dim_cbam_good).
-- 3. Method: 'actual' when actual_direct_see is given (Annex IV, point 2); else 'default' with the
--    usable default value row (int_cbam__default_values_checked.is_usable) of the origin country and
--    the LONGEST matching published CN code (8, 6 or 4 digits: 72081000 matches 7208), falling back
--    to the "Other countries and territories" rows when the country has no usable matching row
--    (IR (EU) 2025/2621); else 'missing': the line stays, with NULL emissions, never dropped.
--    Several rows for one (country, code), e.g. white and grey clinker under 2523 10 00: the
--    HIGHEST total is taken (conservative: the declarant cannot show which route applies).
-- 4. Indirect emissions count only for goods not listed in Annex II of Regulation (EU) 2023/956
--    (cement, fertilisers); iron and steel, aluminium, hydrogen and electricity: direct only
--    (see_indirect = 0). With the actual method: actual indirect if given, else the default
--    indirect value of the matched default row.
-- 5. Default year value: the import year clamped to 2026..2028, the published value including the
--    mark-up. see_markup = year value - counted base (direct + counted indirect), so that
--    see_total equals the published year value exactly; it therefore also carries the rounding
--    residual of the publication (total vs direct + indirect, a few thousandths at most). For a
--    direct-only good whose published total includes indirect emissions (agglomerated iron ore,
--    2601 12 00), the published year value would count the indirect part, so the year value is
--    direct x mark-up factor instead. Actual values carry no mark-up.
-- 6. embedded_* = see_* x net_mass_tonnes, exact decimal(38,12).

with

shipments as (

    select * from {{ ref('stg_customs__cbam_shipments') }}

),

default_values as (

    select * from {{ ref('int_cbam__default_values_checked') }}
    where is_usable

),

good_categories as (

    select * from {{ ref('cbam_good_categories') }}

),

cbam_goods as (

    select * from {{ ref('int_cbam__goods_categorised') }}

),

keyed_versions as (

    select
        {{ surrogate_key(['tenant_id', 'declarant_eori', 'declaration_id', 'declaration_line']) }}
            as cbam_import_key,
        shipments.*

    from shipments

),

import_lines as (

    -- a re-sent line replaces the earlier version (the staging dedupe rule, latest_per_key)
    {{ latest_per_key(
        'keyed_versions',
        partition_by=['tenant_id', 'declarant_eori', 'declaration_id', 'declaration_line'],
        rank_column='version_recency'
    ) }}

),

prefix_lengths as (

    select 8 as prefix_length
    union all select 7
    union all select 6
    union all select 5
    union all select 4

),

-- each line once per CN prefix length, so that every prefix match below is an equi-join
line_prefixes as (

    select
        import_lines.cbam_import_key,
        import_lines.origin_country,
        prefix_lengths.prefix_length,
        left(import_lines.cn_code, prefix_lengths.prefix_length) as cn_prefix

    from import_lines
    cross join prefix_lengths

),

category_matches as (

    select
        line_prefixes.cbam_import_key,
        good_categories.cbam_sector,
        good_categories.aggregated_goods_category,
        good_categories.direct_emissions_only,
        good_categories.is_cbam_good,
        row_number() over (
            partition by line_prefixes.cbam_import_key
            order by line_prefixes.prefix_length desc
        ) as match_rank

    from line_prefixes
    inner join good_categories
        on line_prefixes.cn_prefix = good_categories.cn_prefix

),

good_matches as (

    select
        line_prefixes.cbam_import_key,
        cbam_goods.cn_code as cbam_good_cn_code,
        row_number() over (
            partition by line_prefixes.cbam_import_key
            order by line_prefixes.prefix_length desc
        ) as match_rank

    from line_prefixes
    inner join cbam_goods
        on line_prefixes.cn_prefix = cbam_goods.cn_code

),

default_candidates as (

    select
        line_prefixes.cbam_import_key,
        line_prefixes.prefix_length,
        'country' as default_value_fallback,
        1 as fallback_rank,
        default_values.default_value_id,
        default_values.direct_emissions_only,
        default_values.default_value_direct,
        default_values.default_value_indirect,
        default_values.default_value_total,
        default_values.default_value_2026,
        default_values.default_value_2027,
        default_values.default_value_2028

    from line_prefixes
    inner join default_values
        on line_prefixes.origin_country = default_values.country_code
        and line_prefixes.cn_prefix = default_values.cn_code
    where not default_values.is_other_countries

    union all

    select
        line_prefixes.cbam_import_key,
        line_prefixes.prefix_length,
        'other_countries' as default_value_fallback,
        2 as fallback_rank,
        default_values.default_value_id,
        default_values.direct_emissions_only,
        default_values.default_value_direct,
        default_values.default_value_indirect,
        default_values.default_value_total,
        default_values.default_value_2026,
        default_values.default_value_2027,
        default_values.default_value_2028

    from line_prefixes
    inner join default_values
        on line_prefixes.cn_prefix = default_values.cn_code
    where default_values.is_other_countries

),

ranked_defaults as (

    select
        default_candidates.*,
        row_number() over (
            partition by cbam_import_key
            order by
                fallback_rank,
                prefix_length desc,
                default_value_total desc,
                default_value_id
        ) as default_rank

    from default_candidates

),

best_defaults as (

    select * from ranked_defaults
    where default_rank = 1

),

joined as (

    select
        import_lines.*,
        {{ year_of('import_lines.import_date') }} as import_year,
        {{ quarter_of('import_lines.import_date') }} as import_quarter,
        good_matches.cbam_good_cn_code,
        category_matches.cbam_sector,
        category_matches.aggregated_goods_category,
        coalesce(category_matches.is_cbam_good, false) as is_cbam_good,
        coalesce(category_matches.direct_emissions_only, best_defaults.direct_emissions_only)
            as direct_emissions_only,
        best_defaults.default_value_id as matched_default_value_id,
        best_defaults.default_value_fallback as matched_default_value_fallback,
        best_defaults.default_value_direct,
        best_defaults.default_value_indirect,
        least(
            greatest({{ year_of('import_lines.import_date') }}, {{ var('cbam_default_value_first_year') }}),
            {{ var('cbam_default_value_last_year') }}
        ) as clamped_year,
        case least(
            greatest({{ year_of('import_lines.import_date') }}, {{ var('cbam_default_value_first_year') }}),
            {{ var('cbam_default_value_last_year') }}
        )
            when 2026 then best_defaults.default_value_2026
            when 2027 then best_defaults.default_value_2027
            when 2028 then best_defaults.default_value_2028
        end as published_year_value

    from import_lines
    left join category_matches
        on import_lines.cbam_import_key = category_matches.cbam_import_key
        and category_matches.match_rank = 1
    left join good_matches
        on import_lines.cbam_import_key = good_matches.cbam_import_key
        and good_matches.match_rank = 1
    left join best_defaults
        on import_lines.cbam_import_key = best_defaults.cbam_import_key

),

methods as (

    select
        joined.*,
        case
            when actual_direct_see is not null then 'actual'
            when matched_default_value_id is not null then 'default'
            else 'missing'
        end as emission_method,
        case
            when direct_emissions_only then 'not_counted'
            when direct_emissions_only is null then null
            when actual_direct_see is not null and actual_indirect_see is not null then 'actual'
            when matched_default_value_id is not null and default_value_indirect is not null then 'default'
        end as indirect_method,
        {{ cbam_markup_factor('cbam_sector', 'clamped_year', year_is_sql=true) }} as markup_factor

    from joined

),

specific_emissions as (

    select
        methods.*,
        case emission_method
            when 'actual' then actual_direct_see
            when 'default' then default_value_direct
        end as see_direct_raw,
        case
            when emission_method = 'missing' then null
            when indirect_method = 'not_counted' then 0
            when indirect_method = 'actual' then actual_indirect_see
            when indirect_method = 'default' then default_value_indirect
        end as see_indirect_raw,
        case
            when emission_method <> 'default' then null
            when direct_emissions_only and coalesce(default_value_indirect, 0) <> 0
                then default_value_direct * markup_factor
            else published_year_value
        end as year_value_raw

    from methods

),

markups as (

    select
        specific_emissions.*,
        case emission_method
            when 'actual' then 0
            when 'default' then year_value_raw - (see_direct_raw + see_indirect_raw)
        end as see_markup_raw

    from specific_emissions

),

final as (

    select
        cbam_import_key,
        tenant_id,
        {{ surrogate_key(['tenant_id', 'declarant_eori']) }} as declarant_key,
        declarant_eori,
        declaration_id,
        declaration_line,
        import_date,
        import_year,
        import_quarter,
        cn_code,
        cbam_good_cn_code,
        cbam_sector,
        aggregated_goods_category,
        is_cbam_good,
        direct_emissions_only,
        origin_country,
        case
            when installation_id is not null
                then {{ surrogate_key(['tenant_id', 'installation_id']) }}
        end as installation_key,
        installation_id,
        customs_procedure,
        net_mass_tonnes,
        actual_direct_see,
        actual_indirect_see,
        electricity_consumed_mwh,
        carbon_price_paid_eur,
        emission_method,
        indirect_method,
        case
            when emission_method = 'default' or indirect_method = 'default' then matched_default_value_id
        end as default_value_id,
        case
            when emission_method = 'default' or indirect_method = 'default' then matched_default_value_fallback
        end as default_value_fallback,
        case when emission_method = 'default' then clamped_year end as default_value_year,
        {{ to_decimal("case when emission_method = 'default' then markup_factor end") }} as markup_factor,
        {{ to_decimal('see_direct_raw') }} as see_direct,
        {{ to_decimal('see_indirect_raw') }} as see_indirect,
        {{ to_decimal('see_markup_raw') }} as see_markup,
        {{ to_decimal('see_direct_raw + see_indirect_raw + see_markup_raw') }} as see_total,
        {{ to_decimal('see_direct_raw * net_mass_tonnes') }} as embedded_direct,
        {{ to_decimal('see_indirect_raw * net_mass_tonnes') }} as embedded_indirect,
        {{ to_decimal('see_markup_raw * net_mass_tonnes') }} as embedded_markup,
        {{ to_decimal('(see_direct_raw + see_indirect_raw + see_markup_raw) * net_mass_tonnes') }}
            as embedded_total,
        _batch_id,
        _source_uri,
        _source_row,
        _row_sha256,
        _ingested_at

    from markups

)

select * from final
