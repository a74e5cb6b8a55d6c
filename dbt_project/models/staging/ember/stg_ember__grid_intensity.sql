-- Ember average grid emissions intensity per country or region and data year (gCO2e/kWh, life-cycle
-- emissions of the generation mix: Ember's methodology), one row per publication (edition, version
-- from raw.load_batch.attributes), key and year; the same publication loaded twice: the latest load
-- wins. country_code_iso3 is null for aggregates (EU, World, G7 ...). CC BY 4.0 (Ember).

with

source as (

    select * from {{ source('raw', 'ember__grid_intensity') }}

),

batches as (

    {{ publication_batches() }}

),

renamed as (

    select
        source.tenant_id,
        'Ember' as publisher,
        {{ publication_attribute('publisher') }} as publisher_name,
        coalesce(
            {{ publication_attribute('edition') }},
            cast(source.year as {{ dbt.type_string() }})
        ) as edition,
        coalesce({{ publication_attribute('version') }}, '1') as version,
        {{ publication_published_at() }} as published_at,
        trim(source.key) as ember_key,
        upper(nullif(trim(source.country_code_iso3), '')) as country_code_iso3,
        trim(source.country_or_region) as country_or_region,
        cast(source.year as integer) as data_year,
        {{ to_decimal('source.emissions_intensity_gco2_per_kwh') }} as emissions_intensity_g_co2e_per_kwh,
        {{ provenance_columns('source') }}

    from source
    left join batches
        on source._batch_id = batches.batch_id

),

ranked as (

    {{ latest_per_key(
        'renamed',
        partition_by=['publisher', 'edition', 'version', 'ember_key', 'data_year'],
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
        ember_key,
        country_code_iso3,
        country_or_region,
        data_year,
        emissions_intensity_g_co2e_per_kwh,
        _batch_id,
        _source_uri,
        _source_row,
        _row_sha256,
        _ingested_at

    from ranked

)

select * from final
