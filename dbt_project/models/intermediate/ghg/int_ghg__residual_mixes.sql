-- The residual mix that applies to the metered electricity of a country in a reporting year: one row
-- per (country_code, reporting_year) of int_ghg__activities' metered electricity that has one.
-- Year rule implemented: the residual mix of the reporting year, else the most recent earlier one;
-- never a later one (then there is none: the market-based method takes the location-based factor,
-- market_basis 'location_fallback', and ESRS E1-5 counts the electricity fossil, 'assumed_fossil').
-- Why: GHG Protocol Scope 2 Guidance (2015), section 6.11.4 and Table 6.3, as this project applies
-- them: use the residual mix of the consumption's year; residual mixes are calculated after the year
-- they describe (AIB publishes year N's in N+1), so when the reporting year's is not yet out the most
-- recent earlier one is the best available vintage. A later year's residual mix describes another
-- year's untracked supply and is not used in its place. (int_ghg__emissions' generic factor choice
-- would take a later year for other factors; int_ghg__emission_requests asks for 'residual_mix|<ISO2>'
-- only where a row here exists, so the set int_ghg__emissions then picks, same year first, then the
-- latest earlier, is this one.)
-- Factor rows: the current version (is_current) of the factor store, so a corrected version of an
-- edition replaces the earlier one here as in the emissions; the shares are those of the very same
-- published row (joined on _batch_id, _source_row). fossil_share / nuclear_share / renewable_share:
-- fractions of the published per cent shares' own sum (AIB rounds its percentages, so they may add up
-- to 99.99 or 100.01; their sum stands for 100 %), renewable_share = 1 - fossil - nuclear, so that
-- the three always add up to exactly 1 and the uncovered electricity is split without loss; NULL when
-- the publication gives no shares.

with

years as (

    select distinct
        country_code,
        reporting_year

    from {{ ref('int_ghg__activities') }}
    where activity_type = 'metered_electricity'
        and country_code is not null

),

factors as (

    select
        emission_factor_id,
        region as country_code,
        factor_year as data_year,
        edition,
        version,
        value as residual_mix_kg_co2e_per_kwh,
        _batch_id,
        _source_row

    from {{ ref('int_ghg__emission_factors') }}
    where publisher = 'AIB'
        and level_1 = 'European residual mix'
        and is_current
        and is_used_for_totals

),

published as (

    select * from {{ ref('stg_aib__residual_mixes') }}

),

candidates as (

    select
        years.country_code,
        years.reporting_year,
        factors.data_year,
        factors.edition,
        factors.version,
        factors.emission_factor_id,
        factors.residual_mix_kg_co2e_per_kwh,
        published.renewable_share_percent + published.nuclear_share_percent + published.fossil_share_percent
            as share_total_percent,
        published.fossil_share_percent,
        published.nuclear_share_percent,
        row_number() over (
            partition by years.country_code, years.reporting_year
            order by factors.data_year desc
        ) as recency

    from years
    inner join factors
        on years.country_code = factors.country_code
        and factors.data_year <= years.reporting_year
    left join published
        on factors._batch_id = published._batch_id
        and factors._source_row = published._source_row

),

shares as (

    select
        candidates.*,
        {{ decimal_divide('fossil_share_percent', 'share_total_percent') }} as fossil_share,
        {{ decimal_divide('nuclear_share_percent', 'share_total_percent') }} as nuclear_share

    from candidates
    where recency = 1

),

final as (

    select
        country_code,
        reporting_year,
        data_year,
        case when data_year = reporting_year then 'same_year' else 'earlier_year' end as factor_year_match,
        edition,
        version,
        emission_factor_id,
        residual_mix_kg_co2e_per_kwh,
        fossil_share,
        nuclear_share,
        {{ to_decimal('1 - fossil_share - nuclear_share') }} as renewable_share

    from shares

)

select * from final
