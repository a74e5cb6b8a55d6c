-- Purchase lines of SAP S/4HANA and Oracle Fusion in one shape (int_erp__purchase_lines_unified:
-- net amount in document currency, reference date), one row per business key. Adds:
-- 1. Quantity in the base unit of its kind (unit_conversions seed, keyed by the UN/ECE Rec 20 code
--    staging mapped): tonnes for mass, m3, pieces (C62), MWh; mass_tonnes where the unit is a mass.
--    A unit the seed lacks leaves unit, quantity_kind and the converted quantities null: never
--    guessed; the test assert_erp_purchase_lines_units_known fails the build and names the line.
-- 2. EUR amount at the ECB reference rate of int_erp__purchase_line_fx_rates (the reference month,
--    falling back to the latest earlier month); missing_rate: net_amount_eur null, never zero.
-- 3. CN code of the material and the CBAM good it falls under, from int_erp__materials
--    (material_cn_codes seed; the LONGEST code of dim_cbam_good that the CN code starts with).

with

keyed as (

    select * from {{ ref('int_erp__purchase_lines_unified') }}

),

unit_factors as (

    select distinct
        rec20_code,
        quantity_kind,
        base_unit,
        factor_to_base_unit

    from {{ ref('unit_conversions') }}

),

line_fx_rates as (

    select * from {{ ref('int_erp__purchase_line_fx_rates') }}

),

materials as (

    select * from {{ ref('int_erp__materials') }}

),

converted as (

    select
        keyed.*,
        unit_factors.quantity_kind,
        unit_factors.base_unit,
        {{ to_decimal('keyed.quantity * unit_factors.factor_to_base_unit') }} as quantity_in_base_unit,
        line_fx_rates.fx_rate_month,
        line_fx_rates.fx_units_per_eur,
        line_fx_rates.fx_status,
        materials.cn_code,
        materials.cbam_good_cn_code,
        materials.cbam_sector

    from keyed
    left join unit_factors
        on keyed.unit = unit_factors.rec20_code
    left join line_fx_rates
        on keyed.purchase_line_key = line_fx_rates.purchase_line_key
    left join materials
        on keyed.tenant_id = materials.tenant_id
        and keyed.source_system = materials.source_system
        and keyed.material = materials.material

),

final as (

    select
        purchase_line_key,
        tenant_id,
        source_system,
        source_document_id,
        source_line_id,
        document_number,
        {{ surrogate_key(['tenant_id', 'source_system', 'supplier']) }} as supplier_key,
        supplier,
        supplier_name,
        case
            when material is not null then {{ surrogate_key(['tenant_id', 'source_system', 'material']) }}
        end as material_key,
        material,
        category,
        gl_account,
        description,
        purchasing_unit,
        order_date,
        reference_date,
        reference_date_basis,
        {{ year_of('reference_date') }} as reference_year,
        {{ quarter_of('reference_date') }} as reference_quarter,
        quantity,
        unit_source_code,
        unit,
        quantity_kind,
        base_unit,
        quantity_in_base_unit,
        {{ to_decimal("case when quantity_kind = 'mass' then quantity_in_base_unit end") }} as mass_tonnes,
        net_price_amount,
        net_price_quantity,
        net_amount,
        currency,
        fx_rate_month,
        fx_units_per_eur,
        fx_status,
        {{ to_decimal(
            "case when fx_status = 'eur' then net_amount"
            ~ " when fx_status in ('month_rate', 'fallback_rate') then "
            ~ decimal_divide('net_amount', 'fx_units_per_eur') ~ " end"
        ) }} as net_amount_eur,
        cn_code,
        cbam_good_cn_code,
        cbam_sector,
        cbam_good_cn_code is not null as is_cbam_good,
        is_deleted,
        source_status,
        changed_at,
        _batch_id,
        _source_uri,
        _source_row,
        _row_sha256,
        _ingested_at

    from converted

)

select * from final
