-- direct_emissions_only is a property of the sector (Annex II of Regulation (EU) 2023/956 lists
-- iron and steel, aluminium and hydrogen goods): one value per sector in the seed.
select
    cbam_sector,
    count(distinct direct_emissions_only) as n_values

from {{ ref('cbam_good_categories') }}
where cbam_sector is not null
group by cbam_sector
having count(distinct direct_emissions_only) > 1
