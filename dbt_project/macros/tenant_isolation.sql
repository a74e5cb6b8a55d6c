{#-
  Tenant isolation for readers (analysts, Looker): docs/design.md, "Readers and tenants".

  PostgreSQL only; on DuckDB and Snowflake every macro here renders nothing (or `true`), so their
  builds are the same as without it.

  - The group role `var('reader_role')` (NOLOGIN) holds what readers may do; a login role reads once
    it is a member of the group and has rows in `security.tenant_readers` (role name, tenant id),
    which the operator maintains and dbt only creates.
  - A reader sees the rows of its tenants plus the reserved tenant `global` (reference data, factor
    publications), and relations without tenant_id (reference data) only when it has a tenant: a
    role without a tenant reads nothing.
  - Everything a relation needs is applied to that relation by its own post-hook (`grant_to_readers`),
    wherever dbt builds it, and moves with it: no default privileges, no schema names here.
-#}

{#- The predicate a reader's row must satisfy: its tenant is one of the reader's, or (no tenant
    column) the reader has a tenant at all. One rule for the policies and the readers' views. -#}
{% macro reader_row_filter(tenant_column=none) -%}
    {{ return(adapter.dispatch('reader_row_filter', 'greenlang')(tenant_column)) }}
{%- endmacro %}

{% macro default__reader_row_filter(tenant_column) -%}
    true
{%- endmacro %}

{#- The sub-select makes the tenants an init plan: read once per query, not once per row (the cast
    makes `any` take it as one array, not as a subquery of arrays). -#}
{% macro postgres__reader_row_filter(tenant_column) -%}
    {%- if tenant_column -%}
        {{ tenant_column }} = any ((select security.reader_tenants())::text[])
    {%- else -%}
        cardinality((select security.reader_tenants())) > 0
    {%- endif -%}
{%- endmacro %}


{#- on-run-start: the reader group, the membership table and the function the policies call.
    Idempotent; the role is cluster-wide and may be created by another database's build at the
    same moment, hence the handled duplicate. -#}
{% macro create_reader_access() -%}
    {{ return(adapter.dispatch('create_reader_access', 'greenlang')()) }}
{%- endmacro %}

{% macro default__create_reader_access() -%}
{%- endmacro %}

{% macro postgres__create_reader_access() -%}
    {%- set reader = var('reader_role') -%}
    do $$
    begin
        if not exists (select from pg_roles where rolname = '{{ reader }}') then
            create role {{ reader }} nologin;
        end if;
    exception when duplicate_object or unique_violation then
        null;
    end
    $$;
    create schema if not exists security;
    grant usage on schema security to {{ reader }};
    create table if not exists security.tenant_readers (
        role_name text not null,
        tenant_id text not null,
        primary key (role_name, tenant_id)
    );
    comment on table security.tenant_readers is
        'Which tenants each login role reads (docs/design.md, "Readers and tenants"); maintained by the operator.';
    {#- readers look up their own rows only (the policies run as the reader) -#}
    alter table security.tenant_readers enable row level security;
    drop policy if exists own_rows on security.tenant_readers;
    create policy own_rows on security.tenant_readers for select to {{ reader }}
        using (role_name = current_user);
    grant select on security.tenant_readers to {{ reader }};
    create or replace function security.reader_tenants() returns text[]
        language sql stable
    as $$
        select case
            when count(*) = 0 then '{}'::text[]
            else array_agg(tenant_id) || 'global'::text
        end
        from security.tenant_readers
        where role_name = current_user
    $$;
    comment on function security.reader_tenants() is
        'The tenants the current role reads, plus global when it has any; empty for a role without a tenant.';
{%- endmacro %}


{#- Post-hook of every model: a model with meta `readers: true` becomes readable by the reader group.
    A table gets row-level security (ENABLE, not FORCE: the build role owns it and reads every
    tenant) and a SELECT policy for readers; a view, which cannot carry policies, filters in its SQL
    (reader_row_filter) and is made a security barrier so that no reader's function sees rows
    before that filter. -#}
{% macro grant_to_readers() -%}
    {{ return(adapter.dispatch('grant_to_readers', 'greenlang')()) }}
{%- endmacro %}

{% macro default__grant_to_readers() -%}
{%- endmacro %}

{% macro postgres__grant_to_readers() -%}
    {%- if execute and config.get('meta', {}).get('readers') -%}
        {%- set reader = var('reader_role') -%}
        {%- if config.get('materialized') == 'view' %}
    alter view {{ this }} set (security_barrier = true);
        {%- else -%}
            {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name') | list %}
    alter table {{ this }} enable row level security;
    drop policy if exists reader_tenants on {{ this }};
    create policy reader_tenants on {{ this }} for select to {{ reader }}
        using ({{ reader_row_filter('tenant_id' if 'tenant_id' in columns else none) }});
        {%- endif %}
    grant select on {{ this }} to {{ reader }};
    {%- endif -%}
{%- endmacro %}


{#- on-run-end: readers may use the schemas that hold relations marked `readers: true`, by their
    published names (a write–audit–publish build writes into `<schema>` + var('build_schema_suffix')
    and moves the relations into `<schema>` after it), where they exist. -#}
{% macro grant_reader_schemas() -%}
    {{ return(adapter.dispatch('grant_reader_schemas', 'greenlang')()) }}
{%- endmacro %}

{% macro default__grant_reader_schemas() -%}
{%- endmacro %}

{% macro postgres__grant_reader_schemas() -%}
    {%- if execute -%}
        {%- set build_suffix = var('build_schema_suffix', '') -%}
        {%- set reader_schemas = [] -%}
        {%- for node in graph.nodes.values()
            if node.resource_type == 'model' and node.config.meta.get('readers') -%}
            {%- set published = node.schema[:-(build_suffix | length)]
                if build_suffix and node.schema.endswith(build_suffix) else node.schema -%}
            {%- if published not in reader_schemas -%}
                {%- do reader_schemas.append(published) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- for schema in reader_schemas if adapter.check_schema_exists(target.database, schema) %}
    grant usage on schema {{ adapter.quote(schema) }} to {{ var('reader_role') }};
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
