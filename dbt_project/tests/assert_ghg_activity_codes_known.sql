-- Every fuel, refrigerant, travel or freight mode and meter/channel of the activities is known to the
-- seeds (ghg_fuels, ghg_gwp_values, ghg_activity_factor_map modes, ghg_meters): otherwise its
-- emissions could not be computed and would be missing from the inventory.
select
    activity_source,
    activity_type,
    activity_item,
    code_status,
    count(*) as activities

from {{ ref('int_ghg__activities') }}
where code_status <> 'known'
group by activity_source, activity_type, activity_item, code_status
