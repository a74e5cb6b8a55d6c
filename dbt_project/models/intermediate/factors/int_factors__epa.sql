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
-- * T&D losses, Scope 3 category 3 activity C (variant 'td_losses'; factor_match_key
--   'egrid|<subregion>|td_losses'): per MWh consumed, derived from two published cells of one Table 6
--   row, published_value = total output rate (lb of the gas / MWh) x "Grid Gross Loss (%)", which the
--   2025 hub writes as a fraction (0.042 = 4.2 %; greenlang/ghg/epa_hub.py). EPA's note to
--   Table 6: grid gross loss factors "can assist in calculating one component of Scope 3 Category 3
--   ... Activity C". GHG Protocol, Technical Guidance for Calculating Scope 3 Emissions (v1.0, 2013),
--   category 3, activity C (T&D losses): emissions = electricity consumed x T&D loss rate x emission
--   factor of the grid; the published rate is applied to the electricity consumed as that formula has
--   it, without grossing up to loss / (1 - loss). Activity C covers the upstream and the combustion of
--   the lost electricity (the guidance's Table 3.1); eGRID total output rates are combustion only
--   (EPA's note), so these rows are its combustion part: EPA publishes no upstream (WTT) factor. A row
--   without a loss rate (PRMS in 2025) gets no T&D factor. publisher_factor_id: '<rate cell> x <loss
--   cell>'; unit, gas, mass_to_kg and GWP are the rate's.

{%- set td_losses_suffix = "case when variant = 'td_losses' then ' x Grid Gross Loss' else '' end" %}

with

published as (

    select * from {{ ref('stg_epa__emission_factors') }}

),

grid_gross_loss as (

    select
        tenant_id,
        publisher,
        edition,
        version,
        row_label,
        'Table 6|' || row_label || '|' || column_name || '|' || unit as loss_factor_id,
        value as loss_rate

    from published
    where table_number = 6
        and lower(column_name) = 'grid gross loss'
        and value is not null

),

variants as (

    select 'published' as variant
    union all
    select 'td_losses' as variant

),

cells as (

    select
        published.*,
        variants.variant,
        grid_gross_loss.loss_factor_id,
        grid_gross_loss.loss_rate

    from published
    cross join variants
    left join grid_gross_loss
        on variants.variant = 'td_losses'
        and published.table_number = 6
        and published.tenant_id = grid_gross_loss.tenant_id
        and published.publisher = grid_gross_loss.publisher
        and published.edition = grid_gross_loss.edition
        and published.version = grid_gross_loss.version
        and published.row_label = grid_gross_loss.row_label
    where published.gas is not null
        and not published.is_non_baseload
        and (variants.variant = 'published' or grid_gross_loss.loss_rate is not null)

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
            || '|' || unit || case when variant = 'td_losses' then ' x ' || loss_factor_id else '' end
            as publisher_factor_id,
        cast(null as {{ dbt.type_string() }}) as scope_published,
        'Table ' || cast(table_number as {{ dbt.type_string() }}) as level_1,
        table_name as level_2,
        row_label as level_3,
        column_name || {{ td_losses_suffix }} as level_4,
        cast(null as {{ dbt.type_string() }}) as column_text,
        'Table ' || cast(table_number as {{ dbt.type_string() }}) || ' ' || coalesce(table_name, '')
            || ' > ' || row_label || ' > ' || column_name || {{ td_losses_suffix }} as activity_path,
        case
            when variant = 'td_losses' then {{ ghg_match_key(["'egrid'", 'first_label', "'td_losses'"]) }}
            when table_number = 6 then {{ ghg_match_key(["'egrid'", 'first_label']) }}
            else {{ ghg_match_key(["'epa table ' || cast(table_number as " ~ dbt.type_string() ~ ")", 'row_label']) }}
        end as factor_match_key,
        {{ ghg_match_key(["cast(table_number as " ~ dbt.type_string() ~ ")", 'row_label', 'per_unit']) }}
            || case when variant = 'td_losses' then '|td_losses' else '' end as factor_set_key,
        case when table_number = 6 then first_label else 'US' end as region,
        per_unit as unit,
        unit_code,
        calorific_basis,
        gas,
        case
            when variant = 'td_losses' then {{ ghg_multiply('value', 'loss_rate') }}
            else value
        end as published_value,
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
