-- UK Government GHG Conversion Factors for Company Reporting (DESNZ), flat file: one row per
-- published factor and publication (publisher, edition, version). Edition and version are not in the
-- rows: the loader records them in raw.load_batch.attributes (JSON text {"publisher", "edition",
-- "version"}, optionally "published": the publication date), read here with ghg_json_text_field.
-- published_at: the publication date when the ledger has it, else the time the batch was loaded; it
-- orders the versions of an edition (int_ghg__emission_factors closes a restated row's validity).
-- The same publication loaded twice (another file, same edition and version): the latest load wins.
-- gas: from ghg_unit ('kg CO2e' -> CO2e, 'kg CO2e of CH4 per unit' -> CH4 ...); rows that convert to
-- energy ('kWh (Net CV)', 'kWh (net)': the SECR kWh tables) have gas NULL and are no emission factor.
-- Contains public sector information licensed under the Open Government Licence v3.0.

with

source as (

    select * from {{ source('raw', 'desnz__conversion_factors') }}

),

batches as (

    {{ publication_batches() }}

),

renamed as (

    select
        source.tenant_id,
        'DESNZ' as publisher,
        {{ publication_attribute('publisher') }} as publisher_name,
        {{ publication_attribute('edition') }} as edition,
        {{ publication_attribute('version') }} as version,
        {{ publication_published_at() }} as published_at,
        source.factor_id,
        nullif(trim(source.scope), '') as scope,
        nullif(trim(source.level_1), '') as level_1,
        nullif(trim(source.level_2), '') as level_2,
        nullif(trim(source.level_3), '') as level_3,
        nullif(trim(source.level_4), '') as level_4,
        nullif(trim(source.column_text), '') as column_text,
        nullif(trim(source.uom), '') as uom,
        nullif(trim(source.ghg_unit), '') as ghg_unit,
        case
            when {{ ghg_normalise('source.ghg_unit') }} = 'kg co2e' then 'CO2e'
            when {{ ghg_normalise('source.ghg_unit') }} = 'kg co2e of co2 per unit' then 'CO2'
            when {{ ghg_normalise('source.ghg_unit') }} = 'kg co2e of ch4 per unit' then 'CH4'
            when {{ ghg_normalise('source.ghg_unit') }} = 'kg co2e of n2o per unit' then 'N2O'
        end as gas,
        {{ to_decimal('source.conversion_factor') }} as conversion_factor,
        {{ provenance_columns('source') }}

    from source
    left join batches
        on source._batch_id = batches.batch_id

),

ranked as (

    {{ latest_per_key(
        'renamed',
        partition_by=['publisher', 'edition', 'version', 'factor_id'],
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
        factor_id,
        scope,
        level_1,
        level_2,
        level_3,
        level_4,
        column_text,
        uom,
        ghg_unit,
        gas,
        conversion_factor,
        _batch_id,
        _source_uri,
        _source_row,
        _row_sha256,
        _ingested_at

    from ranked

)

select * from final
