{#-
  union_families(families, columns, optional_types): `union all` of relations that share a shape but
  not every column, in one column order. families: list of (relation, [the optional columns it
  has]); columns: the ordered column names; optional_types: {column: SQL type} of the columns some
  relation may lack: a relation without one gets a typed NULL (written here once, instead of
  `cast(null ...)` lines in every model). Used by the thin union models of the GHG families.
-#}
{% macro union_families(families, columns, optional_types) -%}
    {%- for relation, present in families %}
    select
        {%- for name in columns %}
        {% if name not in optional_types or name in present -%}
            {{ name }}
        {%- else -%}
            cast(null as {{ optional_types[name] }}) as {{ name }}
        {%- endif %}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ relation }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}
