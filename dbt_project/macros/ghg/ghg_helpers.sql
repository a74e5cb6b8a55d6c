{#-
  Helpers of the GHG inventory models (models/*/ghg, models/staging/<ghg sources>). Prefixed ghg_.
-#}

{#-
  ghg_json_text_field(json_text, key): the text value of a top-level key of a JSON object held as
  text (raw.load_batch.attributes: publisher, edition, version of a publication); NULL when absent.
-#}
{% macro ghg_json_text_field(json_text, key) -%}
    {{ return(adapter.dispatch('ghg_json_text_field', 'greenlang')(json_text, key)) }}
{%- endmacro %}

{% macro default__ghg_json_text_field(json_text, key) -%}
    (cast({{ json_text }} as json) ->> '{{ key }}')
{%- endmacro %}

{% macro duckdb__ghg_json_text_field(json_text, key) -%}
    json_extract_string({{ json_text }}, '$."{{ key }}"')
{%- endmacro %}

{% macro snowflake__ghg_json_text_field(json_text, key) -%}
    cast(get(try_parse_json({{ json_text }}), '{{ key }}') as varchar)
{%- endmacro %}

{#-
  ghg_multiply(a, b): a x b as an exact decimal(38,12). Both operands are cast to decimal(38,12)
  first; the product (scale 24 on DuckDB) is rounded half away from zero to 12 places. Chained
  products are written as nested calls so that no intermediate result exceeds 38 digits.
-#}
{% macro ghg_multiply(a, b) -%}
    {{ to_decimal('(' ~ to_decimal(a) ~ ') * (' ~ to_decimal(b) ~ ')') }}
{%- endmacro %}

{#-
  ghg_gwp_basis(): the GWP basis every CO2e figure is expressed in: var('ghg_gwp_basis'), 'AR5'
  (default, as DESNZ 2024) or 'AR6'. Anything else stops the compilation.
-#}
{% macro ghg_gwp_basis() -%}
    {%- set basis = var('ghg_gwp_basis', 'AR5') | string | upper -%}
    {%- if basis not in ['AR5', 'AR6'] -%}
        {{ exceptions.raise_compiler_error("var ghg_gwp_basis must be AR5 or AR6, got " ~ basis) }}
    {%- endif -%}
    {{ return(basis) }}
{%- endmacro %}

{#- ghg_normalise(expr): lower-case, trimmed text, the form every code lookup of the GHG models uses. -#}
{% macro ghg_normalise(expr) -%}
    lower(trim({{ expr }}))
{%- endmacro %}

{#- ghg_refrigerant_key(expr): 'R-410A', 'r 410a', 'R410A' -> 'R410A' (upper case, no blanks or hyphens). -#}
{% macro ghg_refrigerant_key(expr) -%}
    upper(replace(replace(trim({{ expr }}), '-', ''), ' ', ''))
{%- endmacro %}

{#-
  ghg_match_key(parts): the text key by which an activity asks for a factor and a factor row
  answers: the lower-cased parts joined by '|', a NULL part written as ''. DESNZ: level_1 .. level_4,
  column_text; eGRID: 'egrid', subregion; Ember: 'ember', ISO alpha-3; instruments: 'instrument',
  tenant/instrument id.
-#}
{% macro ghg_match_key(parts) -%}
    lower(
    {%- for part in parts %}
        coalesce(trim(cast({{ part }} as {{ dbt.type_string() }})), '')
        {%- if not loop.last %} || '|' || {% endif -%}
    {% endfor %}
    )
{%- endmacro %}

{#-
  ghg_calorific_basis(expr): 'gross' / 'net' from the spellings a calorific-value basis arrives in
  (gross, GCV, HHV, higher; net, NCV, LHV, lower); another non-empty value is kept lower-cased (and
  then matches no factor); empty is NULL.
-#}
{% macro ghg_calorific_basis(expr) -%}
    case
        when {{ ghg_normalise(expr) }} in ('gross', 'gross cv', 'gcv', 'hhv', 'higher') then 'gross'
        when {{ ghg_normalise(expr) }} in ('net', 'net cv', 'ncv', 'lhv', 'lower') then 'net'
        else nullif({{ ghg_normalise(expr) }}, '')
    end
{%- endmacro %}

{#-
  ghg_pair_value(text_expr, key): the value of `key` in a 'key=value;key=value' list (the staff
  survey's commuting_mode_share, e.g. 'car=0.55;rail=0.2;bus=0.1;bike=0.15'), as text; '0' when the
  list is given but does not name the key, NULL when the list is NULL. Blanks are ignored.
-#}
{% macro ghg_pair_value(text_expr, key) -%}
    {%- set padded = "(';' || replace(lower(" ~ text_expr ~ "), ' ', '') || ';')" -%}
    {%- set needle = "';" ~ key ~ "='" -%}
    {%- set start = dbt.position(needle, padded) ~ " + " ~ (key | length + 2) -%}
    case
        when {{ text_expr }} is null then null
        when {{ dbt.position(needle, padded) }} = 0 then '0'
        else substr(
            {{ padded }},
            {{ start }},
            {{ dbt.position("';'", "substr(" ~ padded ~ ", " ~ start ~ ")") }} - 1
        )
    end
{%- endmacro %}

{#-
  ghg_energy_units(): the select of the energy units of unit_conversions_ghg that need no calorific basis
  (Wh, kWh, MWh, GJ ...): unit, unit_code and to_base_factor (to kWh), what every meter reading (filed or
  streamed) is converted with.
-#}
{% macro ghg_energy_units() -%}
    select
        unit,
        unit_code,
        to_base_factor

    from {{ ref('unit_conversions_ghg') }}
    where dimension = 'energy'
        and coalesce(calorific_basis, '') = ''
{%- endmacro %}

{#-
  ghg_default_factor_publisher(): the publisher of the fuel factors of a site whose country has no
  publisher of its own in the seed ghg_factor_jurisdictions, as a SQL literal:
  var('ghg_default_factor_publisher'), 'DESNZ' by default (the widest fuel coverage in the store; the
  row is then flagged factor_jurisdiction_mismatch), 'EPA' (the store's name of the US EPA hub), or
  none/'' (NULL: such sites' fuels get no factor, factor_status missing). Anything else stops the
  compilation.
-#}
{% macro ghg_default_factor_publisher() -%}
    {%- set publisher = var('ghg_default_factor_publisher', 'DESNZ') -%}
    {%- if publisher in [none, ''] -%}
        {{ return('cast(null as ' ~ dbt.type_string() ~ ')') }}
    {%- elif publisher not in ['DESNZ', 'EPA'] -%}
        {{ exceptions.raise_compiler_error("var ghg_default_factor_publisher must be DESNZ, EPA or empty, got " ~ publisher) }}
    {%- endif -%}
    {{ return("'" ~ publisher ~ "'") }}
{%- endmacro %}

{#-
  ghg_factor_path(relation): the publication path of a factor row of the store (columns publisher,
  level_1, calorific_basis of `relation`), what an emission row records: US EPA GHG Emission Factors
  Hub Table 1 per physical unit (short ton, scf, gallon) 'epa_table1_physical' or per mmBtu HHV
  'epa_table1_heat_content', Table 2 mobile combustion 'epa_mobile', Table 6 eGRID 'egrid_subregion',
  another EPA table 'epa_table<n>'; DESNZ 'desnz'; Ember 'ember_country'; AIB 'residual_mix';
  'contractual_instrument'; another publisher its name lower-cased.
-#}
{% macro ghg_factor_path(relation) -%}
    {%- set r = relation ~ '.' -%}
    case
        when {{ r }}publisher = 'EPA' and {{ r }}level_1 = 'Table 1' and {{ r }}calorific_basis is not null
            then 'epa_table1_heat_content'
        when {{ r }}publisher = 'EPA' and {{ r }}level_1 = 'Table 1' then 'epa_table1_physical'
        when {{ r }}publisher = 'EPA' and {{ r }}level_1 = 'Table 2' then 'epa_mobile'
        when {{ r }}publisher = 'EPA' and {{ r }}level_1 = 'Table 6' then 'egrid_subregion'
        when {{ r }}publisher = 'EPA' then 'epa_' || lower(replace({{ r }}level_1, ' ', ''))
        when {{ r }}publisher = 'DESNZ' then 'desnz'
        when {{ r }}publisher = 'Ember' then 'ember_country'
        when {{ r }}publisher = 'AIB' then 'residual_mix'
        else lower({{ r }}publisher)
    end
{%- endmacro %}
