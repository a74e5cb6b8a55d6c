-- Emissions per activity, method and gas: each request of int_ghg__emission_requests meets its
-- factor set and each used gas row of the set (int_ghg__emission_factors).
-- 1. Candidates: current factor rows (a restated version is never used) whose factor_match_key is the
--    request's or its fallback_factor_match_key, of the same calorific basis (NULL = NULL: electricity,
--    distances), in a unit the request's converts into (int_ghg__unit_conversions, same dimension);
--    another tenant's factors (contractual instruments) are never candidates.
-- 2. One set per request: own key before the fallback (a US site's LPG in kg: EPA has LPG per gallon
--    and mmBtu only, so the default publisher's per-tonne set, flagged); factor_year = reporting year,
--    else the latest earlier, else the earliest later (factor_year_match); the request's own unit before
--    a conversion (DESNZ diesel per litre, tonne, kWh: litres use litres); publisher, edition, set id.
-- 3. factor_quantity = quantity x conversion (exact decimal); emissions_kg = factor_quantity x value (kg
--    CO2e per unit on gwp_basis), a row per gas the set is used for (CO2, CH4, N2O, or its CO2e total
--    alone), so an activity's rows add up to its total once; emissions_tco2e = emissions_kg x 0.001.
-- 4. A request without a factor set keeps one row (gas CO2e, factor_status 'missing', emissions NULL).
-- 5. factor_path: the factor's publication path (ghg_factor_path); factor_jurisdiction_mismatch: its
--    publisher's jurisdiction (ghg_factor_jurisdictions) is not the site's country (a French or US site
--    at DESNZ: true; Ember, AIB, instruments: false; no site: NULL).

with

requests as (

    select * from {{ ref('int_ghg__emission_requests') }}

),

factors as (

    select * from {{ ref('int_ghg__emission_factors') }}
    where is_current
        and is_used_for_totals

),

factor_sets as (

    select distinct
        factor_set_id,
        tenant_id,
        publisher,
        edition,
        version,
        factor_match_key,
        unit_code,
        calorific_basis,
        factor_year

    from factors

),

jurisdictions as (

    select publisher, upper(trim(country_code)) as country_code
    from {{ ref('ghg_factor_jurisdictions') }}

),

conversions as (

    select * from {{ ref('int_ghg__unit_conversions') }}

),

request_keys as (

    -- the request's own factor key, then its fallback (fuels: the default publisher's)
    select request_id, factor_match_key, 0 as key_rank from requests
    union all
    select request_id, fallback_factor_match_key, 1 from requests
    where fallback_factor_match_key is not null

),

candidates as (

    select
        requests.request_id,
        factor_sets.factor_set_id,
        factor_sets.unit_code as factor_unit_code,
        factor_sets.factor_year,
        conversions.factor as conversion_factor,
        row_number() over (
            partition by requests.request_id
            order by
                request_keys.key_rank,
                case when factor_sets.factor_year > requests.reporting_year then 1 else 0 end,
                abs(requests.reporting_year - factor_sets.factor_year),
                case when factor_sets.unit_code = requests.unit_code then 0 else 1 end,
                factor_sets.publisher,
                factor_sets.edition desc,
                factor_sets.factor_set_id
        ) as candidate_rank

    from requests
    inner join request_keys
        on requests.request_id = request_keys.request_id
    inner join factor_sets
        on request_keys.factor_match_key = factor_sets.factor_match_key
        and (factor_sets.tenant_id = 'global' or factor_sets.tenant_id = requests.tenant_id)
        and requests.calorific_basis is not distinct from factor_sets.calorific_basis
    inner join conversions
        on requests.unit_code = conversions.from_unit_code
        and factor_sets.unit_code = conversions.to_unit_code

),

chosen as (

    select * from candidates
    where candidate_rank = 1

),

emission_rows as (

    -- a request without a factor set keeps one row: no chosen set, no factor row (point 4)
    select
        requests.*,
        chosen.factor_set_id,
        chosen.factor_unit_code,
        chosen.factor_year,
        {{ ghg_multiply('requests.quantity', 'chosen.conversion_factor') }} as factor_quantity,
        factors.emission_factor_id,
        coalesce(factors.gas, 'CO2e') as gas,
        factors.value as emission_factor_value,
        factors.gwp_basis,
        case
            when chosen.request_id is null then null
            when chosen.factor_year = requests.reporting_year then 'same_year'
            when chosen.factor_year < requests.reporting_year then 'earlier_year'
            else 'later_year'
        end as factor_year_match,
        case when chosen.request_id is null then 'missing' else 'matched' end as factor_status,
        {{ ghg_factor_path('factors') }} as factor_path,
        case
            when chosen.request_id is not null and requests.country_code is not null
                then coalesce(jurisdictions.country_code <> requests.country_code, false)
        end as factor_jurisdiction_mismatch

    from requests
    left join chosen
        on requests.request_id = chosen.request_id
    left join factors
        on chosen.factor_set_id = factors.factor_set_id
    left join jurisdictions
        on factors.publisher = jurisdictions.publisher

),

final as (

    select
        {{ surrogate_key(['request_id', 'gas']) }} as ghg_emission_id,
        request_id,
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
        factor_set_id,
        emission_factor_id,
        emission_factor_value,
        gwp_basis,
        factor_year,
        factor_year_match,
        factor_status,
        {{ ghg_multiply('factor_quantity', 'emission_factor_value') }} as emissions_kg,
        {{ ghg_multiply(ghg_multiply('factor_quantity', 'emission_factor_value'), '0.001') }} as emissions_tco2e,
        case
            when factor_path = 'epa_mobile' then 'EPA Hub Table 2: CO2 only; CH4 and N2O are per vehicle-mile by '
                || 'vehicle type and model year (Tables 3-5) and a fuel record carries neither'
            else calculation_note
        end as calculation_note,
        _batch_id,
        _source_row,
        _ingested_at,
        factor_path,
        factor_jurisdiction_mismatch

    from emission_rows

)

select * from final
