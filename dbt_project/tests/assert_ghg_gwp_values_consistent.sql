-- Aliases of one substance (R-32 and HFC-32, R-134a and HFC-134a) carry the same GWPs: the factor
-- store re-expresses DESNZ refrigerant rows through desnz_name and must not depend on which alias.
select
    desnz_name,
    count(distinct ar5_gwp100) as ar5_values,
    count(distinct ar6_gwp100) as ar6_values

from {{ ref('ghg_gwp_values') }}
where desnz_name is not null
group by desnz_name
having count(distinct ar5_gwp100) > 1 or count(distinct ar6_gwp100) > 1
