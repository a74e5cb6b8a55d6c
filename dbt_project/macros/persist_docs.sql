{#-
  persist_docs on PostgreSQL for every kind of relation. dbt (1.11) and dbt-postgres comment only the
  columns they find in information_schema.columns, which lists no materialized view's columns, so the
  reports had none. pg_attribute lists the columns of tables, views and materialized views alike; the
  rest is dbt's own default: the relation's comment, a warning for a described column that does not
  exist, each comment escaped with dbt-postgres's dollar quoting.
-#}
{% macro postgres__persist_docs(relation, model, for_relation, for_columns) -%}
  {% if for_relation and config.persist_relation_docs() and model.description %}
    {% do run_query(alter_relation_comment(relation, model.description)) %}
  {% endif %}
  {% if for_columns and config.persist_column_docs() and model.columns %}
    {% set described = validate_doc_columns(relation, model.columns, postgres_relation_column_names(relation)) %}
    {% set statements = [] %}
    {% for column_name, column in described.items() if column['description'] %}
      {% do statements.append(
          'comment on column ' ~ relation ~ '.' ~ (adapter.quote(column_name) if column['quote'] else column_name)
          ~ ' is ' ~ postgres_escape_comment(column['description']) ~ ';'
      ) %}
    {% endfor %}
    {% if statements %}
      {% do run_query(statements | join('\n')) %}
    {% endif %}
  {% endif %}
{% endmacro %}

{% macro postgres_relation_column_names(relation) %}
  {%- set columns = run_query(
      "select attname from pg_catalog.pg_attribute where attrelid = '" ~ relation ~ "'::regclass"
      ~ " and attnum > 0 and not attisdropped order by attnum"
  ) -%}
  {{ return(columns.columns[0].values() | list) }}
{% endmacro %}
