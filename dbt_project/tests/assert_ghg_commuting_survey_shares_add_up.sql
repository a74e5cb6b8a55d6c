-- A staff survey's commuting shares (hr__headcount.commuting_mode_share) of the modes the commuting
-- method knows (car, bus, rail, other, walk, bike, cycle) add up to 1 within half a percentage point:
-- a mistyped or unknown mode would otherwise silently drop its commuting emissions.
select
    tenant_id,
    site_id,
    period,
    commuting_mode_share,
    survey_share_known_modes

from {{ ref('stg_hr__headcount') }}
where commuting_mode_share is not null
    and (survey_share_known_modes is null or abs(survey_share_known_modes - 1) > 0.005)
