{#-
  provenance_columns(relation='source'): the raw provenance columns every staging model carries, cast
  the same way: _batch_id, _source_uri, _source_row (bigint), _row_sha256, _ingested_at (timestamp).
-#}
{% macro provenance_columns(relation='source') -%}
        {{ relation }}._batch_id,
        {{ relation }}._source_uri,
        cast({{ relation }}._source_row as bigint) as _source_row,
        {{ relation }}._row_sha256,
        cast({{ relation }}._ingested_at as {{ dbt.type_timestamp() }}) as _ingested_at
{%- endmacro %}
