-- Every activity unit is known (severity error): a unit that unit_conversions_ghg does not know, or
-- an energy quantity of a fuel without (or with a contradictory) calorific basis, stops the build
-- here, naming the source, unit and basis - it is never converted by guess, and gross and net
-- calorific values are never converted into each other. Fix: add the spelling to
-- seeds/unit_conversions_ghg.csv (with its NIST SP 811 constant), or send the calorific basis.
select
    activity_source,
    unit,
    calorific_basis,
    unit_status,
    count(*) as activities

from {{ ref('int_ghg__activities') }}
where unit_status <> 'known'
group by activity_source, unit, calorific_basis, unit_status
