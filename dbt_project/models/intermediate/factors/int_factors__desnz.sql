-- DESNZ conversion factors in the common shape of the factor store (int_ghg__emission_factors):
-- one row per published emission factor (gas CO2e / CO2 / CH4 / N2O) and publication.
-- * unit: the published UOM resolved through unit_conversions_ghg: 'kWh (Gross CV)' and
--   'kWh (Net CV)' are the same unit (kWh) on different calorific bases and never meet each other;
--   the energy units of bioenergy ('GJ', 'kWh' of Bioenergy / WTT- bioenergy) are on the net basis
--   (DESNZ methodology paper: biofuel and biomass factors per net CV); electricity and heat kWh carry
--   no basis.
-- * value_kind: 'co2e' (gas CO2e: a published total, or CO2), 'co2e_of_gas' (CH4 / N2O rows, kg
--   CO2e of the gas on the publication's GWP basis), 'gwp_of_substance' (Refrigerant & other, per kg
--   of the substance: the factor is its GWP). gwp_gas_key names the GWP used to re-express them:
--   combustion CH4 -> CH4_non_fossil (IPCC: the CO2 of oxidised fossil methane is already in the CO2
--   factor), N2O, and the refrigerants through ghg_gwp_values.desnz_name.
-- * published_gwp_basis: var('ghg_desnz_gwp_basis')[edition] (DESNZ 2024: AR5, e.g. CH4 28).
-- * factor_match_key: level_1 .. level_4 and column_text (ghg_match_key); factor_set_key adds the
--   UOM, so the CO2e / CO2 / CH4 / N2O rows of one activity and unit form a set.

{%- set gwp_by_edition = var('ghg_desnz_gwp_basis', {'2023': 'AR5', '2024': 'AR5', '2025': 'AR5'}) %}

with

factors as (

    select * from {{ ref('stg_desnz__conversion_factors') }}
    where gas is not null

),

units as (

    select * from {{ ref('unit_conversions_ghg') }}

),

gwp_by_desnz_name as (

    select
        desnz_name,
        gas_key,
        row_number() over (partition by desnz_name order by gas_key) as name_rank

    from {{ ref('ghg_gwp_values') }}
    where coalesce(desnz_name, '') <> ''

),

resolved as (

    select
        factors.*,
        units.unit_code,
        units.dimension,
        case
            when units.dimension = 'energy' and factors.level_1 in ('Bioenergy', 'WTT- bioenergy')
                then coalesce(nullif(units.calorific_basis, ''), 'net')
            else nullif(units.calorific_basis, '')
        end as calorific_basis,
        case
            when factors.level_1 = 'Refrigerant & other' then 'gwp_of_substance'
            when factors.gas in ('CH4', 'N2O') then 'co2e_of_gas'
            else 'co2e'
        end as value_kind,
        case
            when factors.level_1 = 'Refrigerant & other' then gwp_by_desnz_name.gas_key
            when factors.gas = 'CH4' then 'CH4_non_fossil'
            when factors.gas = 'N2O' then 'N2O'
            when factors.gas = 'CO2' then 'CO2'
        end as gwp_gas_key

    from factors
    left join units
        on {{ ghg_normalise('factors.uom') }} = units.unit
    left join gwp_by_desnz_name
        on factors.level_3 = gwp_by_desnz_name.desnz_name
        and gwp_by_desnz_name.name_rank = 1

),

final as (

    select
        tenant_id,
        publisher,
        edition,
        version,
        published_at,
        factor_id as publisher_factor_id,
        scope as scope_published,
        level_1,
        level_2,
        level_3,
        level_4,
        column_text,
        level_1
            || coalesce(' > ' || level_2, '')
            || coalesce(' > ' || level_3, '')
            || coalesce(' > ' || level_4, '')
            || coalesce(' > ' || column_text, '') as activity_path,
        {{ ghg_match_key(['level_1', 'level_2', 'level_3', 'level_4', 'column_text']) }} as factor_match_key,
        {{ ghg_match_key(['level_1', 'level_2', 'level_3', 'level_4', 'column_text', 'uom']) }} as factor_set_key,
        'UK' as region,
        uom as unit,
        unit_code,
        calorific_basis,
        gas,
        conversion_factor as published_value,
        ghg_unit as published_unit,
        value_kind,
        case edition
            {%- for edition, basis in gwp_by_edition.items() | sort %}
            when '{{ edition }}' then '{{ basis }}'
            {%- endfor %}
        end as published_gwp_basis,
        gwp_gas_key,
        {{ to_decimal('1') }} as mass_to_kg,
        cast(edition as integer) as factor_year,
        _batch_id,
        _source_row

    from resolved

)

select * from final
