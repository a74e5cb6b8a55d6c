{#-
  publication_batches(): the select of raw.load_batch that the publication staging models (DESNZ,
  EPA, Ember) join on _batch_id to read edition / version / publisher / published from `attributes`
  (JSON text, read with ghg_json_text_field); batch_started_at is the fallback publication time.
-#}
{% macro publication_batches() -%}
    select
        batch_id,
        attributes,
        cast(started_at as {{ dbt.type_timestamp() }}) as batch_started_at

    from {{ source('raw', 'load_batch') }}
{%- endmacro %}

{#-
  publication_attribute(key): the trimmed text of `key` in batches.attributes, NULL when absent or empty.
-#}
{% macro publication_attribute(key) -%}
    nullif(trim({{ ghg_json_text_field('batches.attributes', key) }}), '')
{%- endmacro %}

{#-
  publication_published_at(): the publication date of the ledger ("published") when present, else the
  time the batch was loaded.
-#}
{% macro publication_published_at() -%}
    coalesce(
            cast({{ publication_attribute('published') }}
                as {{ dbt.type_timestamp() }}),
            batches.batch_started_at
        )
{%- endmacro %}
