-- Facilities (sites) per tenant: every site id the GHG sources name (fuel and refrigerant records,
-- headcount, contractual instruments, the meter configuration) and every site of the facilities
-- seed, with country, grid region and the location-based electricity factor source that applies
-- (GB: DESNZ UK electricity; US: EPA eGRID subregion; elsewhere: Ember country intensity).
-- is_configured false: a site used by the sources but missing from seeds/facilities.csv; its
-- country is then unknown and the not_null test on country_code fails the build.

with

facilities as (

    select
        tenant_id,
        site_id,
        trim(facility_name) as facility_name,
        upper(trim(country_code)) as country_code,
        upper(trim(country_code_iso3)) as country_code_iso3,
        nullif(upper(trim(grid_region)), '') as grid_region

    from {{ ref('facilities') }}

),

used_sites as (

    select tenant_id, site_id from {{ ref('stg_fuels__fuel_records') }}
    union
    select tenant_id, site_id from {{ ref('stg_fuels__refrigerant_records') }}
    union
    select tenant_id, site_id from {{ ref('stg_hr__headcount') }}
    union
    select tenant_id, site_id from {{ ref('stg_energy__contractual_instruments') }}
    union
    select tenant_id, site_id from {{ ref('ghg_meters') }}
    union
    select tenant_id, site_id from facilities

),

final as (

    select
        {{ surrogate_key(['used_sites.tenant_id', 'used_sites.site_id']) }} as facility_id,
        used_sites.tenant_id,
        used_sites.site_id,
        facilities.facility_name,
        facilities.country_code,
        facilities.country_code_iso3,
        facilities.grid_region,
        case
            when facilities.country_code = 'GB' then 'DESNZ UK electricity'
            when facilities.country_code = 'US' then 'EPA eGRID subregion'
            when facilities.country_code is not null then 'Ember country intensity'
        end as location_factor_source,
        facilities.site_id is not null as is_configured

    from used_sites
    left join facilities
        on used_sites.tenant_id = facilities.tenant_id
        and used_sites.site_id = facilities.site_id
    where used_sites.site_id is not null

)

select * from final
