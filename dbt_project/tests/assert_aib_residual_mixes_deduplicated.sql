-- The staged AIB residual mixes keep one row per country and publication (edition, version).
select publisher, edition, version, country_code, count(*) as rows_per_key
from {{ ref('stg_aib__residual_mixes') }}
where country_code is not null
group by publisher, edition, version, country_code
having count(*) > 1
