-- What each activity needs a factor for: one row per (activity, method, part), saying which factor
-- (factor_match_key, see ghg_match_key; fuels: else fallback_factor_match_key), for which quantity in which unit and calorific basis, and
-- where the result goes (scope, Scope 3 category, method, market basis). The thin union of the
-- request families (models/intermediate/ghg/emission_requests/), each documented in its own SQL:
--   Scope 1  _fuels (stationary / mobile combustion; and their cat 3 well_to_tank), _fugitive
--   Scope 2  _location_based, _market_based (contractual instruments, residual mix, fallback)
--   Scope 3  _energy_upstream (cat 3 of electricity and heat), _freight (cat 4), _travel (cat 6),
--            _commuting (cat 7)
-- A column a family does not have is NULL (union_families). int_ghg__emissions finds the factor
-- set, converts the quantity into the factor's unit and computes the emissions; an activity whose
-- factor cannot be found still gets its request (NULL emissions, factor_status missing).

{%- set columns = [
    'tenant_id', 'activity_id', 'activity_source', 'activity_reference', 'activity_type', 'facility_id',
    'country_code', 'activity_date', 'reporting_year', 'quantity', 'unit', '_batch_id', '_source_row', '_ingested_at',
    'scope', 'scope_3_category', 'method', 'market_basis', 'request_part', 'request_quantity',
    'request_unit_code', 'request_calorific_basis', 'factor_match_key', 'fallback_factor_match_key',
    'calculation_note'
] %}
{%- set optional_types = {
    'scope_3_category': dbt.type_int(),
    'market_basis': dbt.type_string(),
    'request_calorific_basis': dbt.type_string(),
    'fallback_factor_match_key': dbt.type_string(),
    'calculation_note': dbt.type_string(),
} %}
{%- set families = [
    (ref('int_ghg__emission_requests_fuels'), ['scope_3_category', 'request_calorific_basis', 'fallback_factor_match_key']),
    (ref('int_ghg__emission_requests_fugitive'), []),
    (ref('int_ghg__emission_requests_location_based'), ['request_calorific_basis']),
    (ref('int_ghg__emission_requests_market_based'), ['market_basis', 'request_calorific_basis']),
    (ref('int_ghg__emission_requests_energy_upstream'), ['scope_3_category', 'request_calorific_basis']),
    (ref('int_ghg__emission_requests_travel'), ['scope_3_category', 'request_calorific_basis', 'calculation_note']),
    (ref('int_ghg__emission_requests_freight'), ['scope_3_category', 'request_calorific_basis', 'calculation_note']),
    (ref('int_ghg__emission_requests_commuting'), ['scope_3_category', 'calculation_note']),
] %}

with

unioned as (

    {{ union_families(families, columns, optional_types) }}

),

final as (

    select
        {{ surrogate_key(['activity_id', 'method', 'request_part']) }} as request_id,
        tenant_id,
        activity_id,
        activity_source,
        activity_reference,
        activity_type,
        facility_id,
        country_code,
        activity_date,
        reporting_year,
        scope,
        scope_3_category,
        method,
        market_basis,
        request_part,
        quantity as activity_quantity,
        unit as activity_unit,
        {{ to_decimal('request_quantity') }} as quantity,
        request_unit_code as unit_code,
        request_calorific_basis as calorific_basis,
        factor_match_key,
        fallback_factor_match_key,
        calculation_note,
        _batch_id,
        _source_row,
        _ingested_at

    from unioned

)

select * from final
