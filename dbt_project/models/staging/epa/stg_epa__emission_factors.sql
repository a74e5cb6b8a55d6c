-- US EPA GHG Emission Factors Hub, one row per published cell and publication (publisher, edition,
-- version from raw.load_batch.attributes; the same cell loaded twice: the latest load wins).
-- The cell's unit is parsed into what it measures:
--   'kg CO2 per mmBtu', 'g CH4 per gallon', '(lb CO2 / MWh)' -> mass_unit (kg / g / lb), gas (CO2 /
--   CH4 / N2O) and per_unit (mmbtu / gallon / mwh ...); cells that are no emission factor (heat
--   content 'mmBtu per short ton', grid gross loss) get gas NULL.
-- row_label: the row's labels joined by ' | ' as the parser writes them ('Coal and Coke | Anthracite',
-- 'AKGD | ASCC Alaska Grid'): first_label is its first part (the eGRID
-- subregion acronym is Table 6's first label). is_non_baseload: eGRID non-baseload
-- rates of Table 6, which EPA says not to use for an inventory (only for avoided emissions).

with

source as (

    select * from {{ source('raw', 'epa__emission_factors') }}

),

batches as (

    {{ publication_batches() }}

),

renamed as (

    select
        source.tenant_id,
        'EPA' as publisher,
        {{ publication_attribute('publisher') }} as publisher_name,
        {{ publication_attribute('edition') }} as edition,
        coalesce({{ publication_attribute('version') }}, '1') as version,
        {{ publication_published_at() }} as published_at,
        cast(source.table_number as integer) as table_number,
        trim(source.table_name) as table_name,
        trim(source.row_label) as row_label,
        trim({{ dbt.split_part('source.row_label', "' | '", 1) }}) as first_label,
        trim(source.column_name) as column_name,
        trim(source.unit) as unit,
        -- 'lb CO2 / MWh' -> 'lb co2 per mwh'
        trim(replace(replace(replace(replace(lower(source.unit), '(', ''), ')', ''), ' / ', '/'), '/', ' per '))
            as unit_normalised,
        {{ to_decimal('source.value') }} as value,
        {{ provenance_columns('source') }}

    from source
    left join batches
        on source._batch_id = batches.batch_id

),

parsed as (

    select
        renamed.*,
        trim({{ dbt.split_part('unit_normalised', "' per '", 1) }}) as numerator,
        trim({{ dbt.split_part('unit_normalised', "' per '", 2) }}) as per_unit

    from renamed

),

classified as (

    select
        parsed.*,
        trim({{ dbt.split_part('numerator', "' '", 1) }}) as mass_unit,
        upper(trim({{ dbt.split_part('numerator', "' '", 2) }})) as numerator_gas,
        (
            lower(column_name) like '%non-baseload%'
            or lower(column_name) like '%non baseload%'
            or lower(column_name) like '%nonbaseload%'
        ) as is_non_baseload

    from parsed

),

ranked as (

    {{ latest_per_key(
        'classified',
        partition_by=['publisher', 'edition', 'version', 'table_number', 'row_label', 'column_name', 'unit'],
                rank_column='load_rank'
    ) }}

),

final as (

    select
        tenant_id,
        publisher,
        publisher_name,
        edition,
        version,
        published_at,
        table_number,
        table_name,
        row_label,
        first_label,
        column_name,
        unit,
        case
            when numerator_gas in ('CO2', 'CH4', 'N2O') and mass_unit in ('kg', 'g', 'lb', 'metric')
                then numerator_gas
        end as gas,
        case
            when mass_unit = 'metric' then 'tonne'
            else mass_unit
        end as mass_unit,
        nullif(per_unit, '') as per_unit,
        is_non_baseload,
        value,
        _batch_id,
        _source_uri,
        _source_row,
        _row_sha256,
        _ingested_at

    from ranked

)

select * from final
