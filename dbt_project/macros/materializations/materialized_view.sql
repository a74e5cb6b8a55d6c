{#-
  One config for reporting models: `+materialized: materialized_view`.
  - Postgres: dbt-postgres ships a real materialized-view materialization (dbt-core's
    `materialized_view, default` with the postgres__ relation macros): created once, then
    `refresh materialized view` on later runs, rebuilt when its definition changes.
  - DuckDB has no materialized views, and Snowflake's are limited (one table, no joins or
    window functions, Enterprise edition), so on both the model is built as a plain table by
    delegating to the adapter's own table materialization.
-#}
{% materialization materialized_view, adapter='duckdb' %}
    {{ return(materialization_table_duckdb()) }}
{% endmaterialization %}

{% materialization materialized_view, adapter='snowflake' %}
    {{ return(materialization_table_snowflake()) }}
{% endmaterialization %}
