-- AIB "European Residual Mixes" results table: one row per publication (edition = the data year,
-- version; from raw.load_batch.attributes like DESNZ, read with publication_attribute) and country.
-- * country_code: ISO 3166-1 alpha-2 from the file's country_code column, else the country column when
--   it holds a code (AT), else the country's name as published matched to the ISO short name of the
--   country_codes seed (case-insensitive, '&' read as 'and'). A name the seed does not know stays NULL
--   and fails the not_null test (never guessed): give the ISO code in the file.
-- * residual_mix_g_co2_per_kwh: as AIB publishes it, direct CO2 only (no CH4 / N2O, no upstream), g/kWh.
-- * renewable / nuclear / fossil_share_percent: per cent as published (NULL: the file has no shares).
-- published_at: the "published" attribute when the ledger has one, else the load time of the batch; it
-- orders the versions of an edition (int_ghg__emission_factors closes a restated country's earlier
-- row). The same publication loaded twice (another file, same edition and version): the latest load wins.

with

source as (

    select * from {{ source('raw', 'aib__residual_mix') }}

),

batches as (

    {{ publication_batches() }}

),

countries as (

    select
        country_code,
        lower(country_name) as country_name_key

    from {{ ref('country_codes') }}
    where is_iso_3166_1

),

renamed as (

    select
        source.tenant_id,
        'AIB' as publisher,
        {{ publication_attribute('publisher') }} as publisher_name,
        {{ publication_attribute('edition') }} as edition,
        coalesce({{ publication_attribute('version') }}, '1') as version,
        {{ publication_published_at() }} as published_at,
        cast({{ publication_attribute('edition') }} as integer) as data_year,
        nullif(trim(source.country), '') as country_published,
        coalesce(by_code.country_code, by_name.country_code) as country_code,
        {{ to_decimal('source.residual_mix_co2_g_per_kwh') }} as residual_mix_g_co2_per_kwh,
        {{ to_decimal('source.renewable_share_percent') }} as renewable_share_percent,
        {{ to_decimal('source.nuclear_share_percent') }} as nuclear_share_percent,
        {{ to_decimal('source.fossil_share_percent') }} as fossil_share_percent,
        {{ provenance_columns('source') }}

    from source
    left join batches
        on source._batch_id = batches.batch_id
    left join countries as by_code
        on coalesce(
            upper(trim(source.country_code)),
            case when length(trim(source.country)) = 2 then upper(trim(source.country)) end
        ) = by_code.country_code
    left join countries as by_name
        on replace(lower(trim(source.country)), '&', 'and') = by_name.country_name_key

),

ranked as (

    {{ latest_per_key(
        'renamed',
        partition_by=['publisher', 'edition', 'version', 'coalesce(country_code, country_published)'],
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
        data_year,
        country_published,
        country_code,
        residual_mix_g_co2_per_kwh,
        renewable_share_percent,
        nuclear_share_percent,
        fossil_share_percent,
        _batch_id,
        _source_uri,
        _source_row,
        _row_sha256,
        _ingested_at

    from ranked

)

select * from final
