-- US EPA GHG Emission Factors Hub in the common shape of the factor store: one row per emission
-- factor cell (gas CO2 / CH4 / N2O; EPA publishes masses of each gas, not CO2e).
-- * Table 6 (eGRID subregion output emission rates, lb/MWh): region = the eGRID subregion acronym
--   (first label of the row);
--   the non-baseload rates are left out (EPA: "should not be used when developing a carbon footprint
--   or emissions inventory").
-- * Other tables (Table 1 stationary combustion ...): region 'US'. Table 1's heat-content units are
--   HHV (EPA notes to Table 1), so its 'mmBtu' is MMBtu on the gross calorific basis (the MWh of
--   electricity and the mmBtu of purchased steam carry no basis); 'gallon' is the US gallon.
-- * value_kind 'mass_of_gas': value = published mass x mass_to_kg (lb 0.45359237, g 0.001, from
--   unit_conversions_ghg) x GWP of the gas on the selected basis (int_ghg__emission_factors);
--   combustion CH4 uses the non-fossil GWP.
-- * publisher_factor_id: EPA has no factor IDs; 'Table <n>|<row>|<column>|<unit>' identifies a cell.
-- * factor_match_key: 'egrid|<subregion>' for Table 6, else 'epa table <n>|<row labels>'; the three
--   gases of a row and unit form a set.

with

cells as (

    select * from {{ ref('stg_epa__emission_factors') }}
    where gas is not null
        and not is_non_baseload

),

units as (

    select * from {{ ref('unit_conversions_ghg') }}

),

resolved as (

    select
        cells.*,
        per_units.unit_code,
        case when cells.table_number = 1 and per_units.dimension = 'energy' then 'gross' end as calorific_basis,
        mass_units.to_base_factor as mass_to_kg

    from cells
    left join units as per_units
        on per_units.unit = case
            when cells.per_unit in ('gallon', 'gallons') then 'us gallon'
            else cells.per_unit
        end
        and coalesce(per_units.calorific_basis, '') = ''
    left join units as mass_units
        on mass_units.unit = cells.mass_unit
        and mass_units.dimension = 'mass'

),

final as (

    select
        tenant_id,
        publisher,
        edition,
        version,
        published_at,
        'Table ' || cast(table_number as {{ dbt.type_string() }}) || '|' || row_label || '|' || column_name
            || '|' || unit as publisher_factor_id,
        cast(null as {{ dbt.type_string() }}) as scope_published,
        'Table ' || cast(table_number as {{ dbt.type_string() }}) as level_1,
        table_name as level_2,
        row_label as level_3,
        column_name as level_4,
        cast(null as {{ dbt.type_string() }}) as column_text,
        'Table ' || cast(table_number as {{ dbt.type_string() }}) || ' ' || coalesce(table_name, '')
            || ' > ' || row_label || ' > ' || column_name as activity_path,
        case
            when table_number = 6 then {{ ghg_match_key(["'egrid'", 'first_label']) }}
            else {{ ghg_match_key(["'epa table ' || cast(table_number as " ~ dbt.type_string() ~ ")", 'row_label']) }}
        end as factor_match_key,
        {{ ghg_match_key(["cast(table_number as " ~ dbt.type_string() ~ ")", 'row_label', 'per_unit']) }}
            as factor_set_key,
        case when table_number = 6 then first_label else 'US' end as region,
        per_unit as unit,
        unit_code,
        calorific_basis,
        gas,
        value as published_value,
        unit as published_unit,
        'mass_of_gas' as value_kind,
        cast(null as {{ dbt.type_string() }}) as published_gwp_basis,
        case gas when 'CH4' then 'CH4_non_fossil' else gas end as gwp_gas_key,
        mass_to_kg,
        cast(edition as integer) as factor_year,
        _batch_id,
        _source_row

    from resolved

)

select * from final
