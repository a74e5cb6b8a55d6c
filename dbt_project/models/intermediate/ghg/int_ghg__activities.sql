-- Every activity record of the GHG inventory in one shape, one row per record: the thin union of
-- the activity families (models/intermediate/ghg/activities/), each documented in its own SQL:
--   int_ghg__activities_fuels         stationary_fuel / mobile_fuel (vehicle_id set)
--   int_ghg__activities_refrigerants  refrigerant (kg topped up)
--   int_ghg__activities_meters        metered_<carrier> per meter and UTC day
--   int_ghg__activities_travel        business_travel (passenger.km, km, room.night)
--   int_ghg__activities_freight       freight (tonne.km)
--   int_ghg__activities_headcount     headcount (employees in the month)
-- A column a family does not have is NULL (union_families). Here: the facility of the site (seed
-- facilities: country, grid region), the reporting year and the jurisdiction rule, applied here and
-- nowhere else: factor_publisher = the publisher of the site's country (seed ghg_factor_jurisdictions:
-- US -> EPA, GB -> DESNZ), else (another or an unknown country) var ghg_default_factor_publisher
-- (ghg_default_factor_publisher()); NULL for an activity without a site.
-- unit_status must be 'known' (test assert_ghg_activity_units_known, error); code_status: the
-- fuel, refrigerant, mode or meter is known (assert_ghg_activity_codes_known, error);
-- quantity_status 'missing': no usable quantity, no emissions, a warning test lists them.

{%- set site = ['site_id'] %}
{%- set fuel = ['fuel_key', 'desnz_level_1', 'desnz_level_2', 'desnz_level_3'] %}
{%- set fuel_wtt = ['desnz_wtt_level_1', 'desnz_wtt_level_2', 'desnz_wtt_level_3', 'energy_source', 'esrs_fuel_category'] %}
{%- set transport = ['mode', 'factor_variant'] %}
{%- set families = [
    (ref('int_ghg__activities_fuels'), site + fuel + fuel_wtt + ['calorific_basis']),
    (ref('int_ghg__activities_refrigerants'), site + fuel),
    (ref('int_ghg__activities_meters'), site + fuel + fuel_wtt + ['energy_carrier', 'calorific_basis']),
    (ref('int_ghg__activities_travel'), transport),
    (ref('int_ghg__activities_freight'), transport),
    (ref('int_ghg__activities_headcount'), site),
] %}
{%- set optional_types = {} %}
{%- for column in site + fuel + fuel_wtt + ['energy_carrier'] + transport + ['calorific_basis'] %}
    {%- do optional_types.update({column: dbt.type_string()}) %}
{%- endfor %}
{%- set columns = [
    'activity_id', 'activity_source', 'activity_reference', 'activity_type', 'tenant_id', 'site_id',
    'activity_date', 'activity_item', 'fuel_key', 'desnz_level_1', 'desnz_level_2', 'desnz_level_3',
    'desnz_wtt_level_1', 'desnz_wtt_level_2', 'desnz_wtt_level_3', 'energy_source', 'esrs_fuel_category',
    'energy_carrier', 'mode', 'factor_variant', 'quantity', 'unit', 'unit_code', 'dimension',
    'calorific_basis', 'unit_status', 'code_status', 'quantity_status', '_batch_id', '_source_row',
    '_ingested_at'
] %}

with

unioned as (

    {{ union_families(families, columns, optional_types) }}

),

facilities as (

    select
        tenant_id,
        site_id,
        upper(trim(country_code)) as country_code,
        upper(trim(country_code_iso3)) as country_code_iso3,
        nullif(upper(trim(grid_region)), '') as grid_region

    from {{ ref('facilities') }}

),

jurisdictions as (

    select
        upper(trim(country_code)) as country_code,
        publisher

    from {{ ref('ghg_factor_jurisdictions') }}

),

final as (

    select
        unioned.activity_id,
        unioned.activity_source,
        unioned.activity_reference,
        unioned.activity_type,
        unioned.tenant_id,
        case
            when unioned.site_id is not null then {{ surrogate_key(['unioned.tenant_id', 'unioned.site_id']) }}
        end as facility_id,
        unioned.site_id,
        facilities.country_code,
        facilities.country_code_iso3,
        facilities.grid_region,
        case
            when unioned.site_id is not null
                then coalesce(jurisdictions.publisher, {{ ghg_default_factor_publisher() }})
        end as factor_publisher,
        unioned.activity_date,
        {{ year_of('unioned.activity_date') }} as reporting_year,
        {%- for column in columns[7:20] %}
        unioned.{{ column }},
        {%- endfor %}
        {{ to_decimal('unioned.quantity') }} as quantity,
        {%- for column in columns[21:] %}
        unioned.{{ column }}{{ ',' if not loop.last }}
        {%- endfor %}

    from unioned
    left join facilities
        on unioned.tenant_id = facilities.tenant_id
        and unioned.site_id = facilities.site_id
    left join jurisdictions
        on facilities.country_code = jurisdictions.country_code

)

select * from final
