-- Every allowed unit conversion: one row per (from_unit_code, to_unit_code) of the same dimension
-- (energy, volume, mass, distance, freight_distance, passenger_distance, room_night), from the
-- unit_conversions_ghg seed: factor = to_base_factor(from) x from_base_factor(to), exactly 1 for a
-- unit to itself. The join on this model is the one way the GHG models convert a quantity
-- (quantity_in_target = quantity x factor, ghg_multiply); units of different dimensions have no
-- row, so they are never converted into each other. Gross and net calorific values share units
-- (kWh, GJ ...) but a conversion never changes the basis: the models match the basis separately
-- (a quantity on gross CV only meets a factor on gross CV), and a fuel energy quantity without a
-- basis meets no fuel factor at all.

with

units as (

    select distinct
        unit_code,
        dimension,
        base_unit,
        to_base_factor,
        from_base_factor

    from {{ ref('unit_conversions_ghg') }}

),

pairs as (

    select
        from_units.unit_code as from_unit_code,
        to_units.unit_code as to_unit_code,
        from_units.dimension,
        case
            when from_units.unit_code = to_units.unit_code then {{ to_decimal('1') }}
            else {{ ghg_multiply('from_units.to_base_factor', 'to_units.from_base_factor') }}
        end as factor

    from units as from_units
    inner join units as to_units
        on from_units.dimension = to_units.dimension

),

final as (

    select
        {{ surrogate_key(['from_unit_code', 'to_unit_code']) }} as unit_conversion_id,
        from_unit_code,
        to_unit_code,
        dimension,
        factor

    from pairs

)

select * from final
