-- A default value that breaks a rule (rpt_cbam_default_value_issues) is never used, and every
-- line on the default method names the default-value row it used (docs/architecture.md, "Provenance").
select
    imports.cbam_import_key,
    imports.emission_method,
    imports.default_value_id

from {{ ref('fct_cbam_imports') }} as imports
left join {{ ref('dim_cbam_default_value') }} as default_values
    on imports.default_value_id = default_values.default_value_id
where
    (imports.default_value_id is not null and not default_values.is_usable)
    or (imports.emission_method = 'default' and imports.default_value_id is null)
