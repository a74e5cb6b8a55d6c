-- see_total = see_direct + see_indirect + see_markup, and a line has emissions unless its method is
-- 'missing' (then all emission columns are null: the line is kept, never dropped).
select
    cbam_import_key,
    emission_method,
    see_direct,
    see_indirect,
    see_markup,
    see_total

from {{ ref('fct_cbam_imports') }}
where
    (emission_method = 'missing' and (see_total is not null or embedded_total is not null))
    or (
        emission_method = 'default'
        and (see_total is null or see_total <> see_direct + see_indirect + see_markup)
    )
    or (emission_method = 'actual' and see_markup <> 0)
