-- Purchase lines of SAP S/4HANA (stg_sap__purchase_order_items) and Oracle Fusion
-- (stg_oracle__purchase_order_lines) in one shape (greenlang/erp/contracts.py, UnifiedPurchaseLine), already one
-- row per business key (latest change; deletions kept). Per line:
-- 1. Net amount in document currency: SAP order_quantity x net_price_amount / net_price_quantity (the
--    net price is per price unit), Oracle quantity x unit_price; exact decimal(38,12), the division
--    rounded half away from zero (decimal_divide).
-- 2. Quantity in the base unit of its kind (unit_conversions seed, keyed by the UN/ECE Rec 20 code
--    staging mapped): tonnes for mass, m3, pieces (C62), MWh; mass_tonnes where the unit is a mass.
--    A unit the seed lacks leaves unit, quantity_kind and the converted quantities null: never
--    guessed; the test assert_erp_purchase_lines_units_known fails the build and names the line.
-- 3. reference_date: the order date (SAP); Oracle's line extract carries no order date, so the
--    earliest last_update_date loaded for the line stands in (reference_date_basis says which).
-- 4. EUR amount at the ECB reference rate of the reference month (fx_rates seed, units per EUR),
--    falling back to the latest earlier month; fx_status: eur / month_rate / fallback_rate /
--    missing_rate (no rate up to that month: net_amount_eur null, never zero).
-- 5. CN code of the material and the CBAM good it falls under, from int_erp__materials
--    (material_cn_codes seed; the LONGEST code of dim_cbam_good that the CN code starts with).

with

sap_items as (

    select * from {{ ref('stg_sap__purchase_order_items') }}

),

oracle_lines as (

    select * from {{ ref('stg_oracle__purchase_order_lines') }}

),

unit_factors as (

    select distinct
        rec20_code,
        quantity_kind,
        base_unit,
        factor_to_base_unit

    from {{ ref('unit_conversions') }}

),

fx_rates as (

    select * from {{ ref('fx_rates') }}

),

materials as (

    select * from {{ ref('int_erp__materials') }}

),

sap_unified as (

    select
        tenant_id,
        'sap' as source_system,
        purchase_order as source_document_id,
        purchase_order_item as source_line_id,
        purchase_order as document_number,
        supplier,
        cast(null as {{ dbt.type_string() }}) as supplier_name,
        material,
        material_group as category,
        cast(null as {{ dbt.type_string() }}) as description,
        company_code as purchasing_unit,
        purchase_order_date as order_date,
        purchase_order_date as reference_date,
        'order_date' as reference_date_basis,
        order_quantity as quantity,
        unit_source_code,
        unit,
        net_price_amount,
        net_price_quantity,
        {{ decimal_divide(to_decimal('order_quantity * net_price_amount'), 'net_price_quantity') }}
            as net_amount,
        document_currency as currency,
        is_deleted,
        coalesce(deletion_code, 'active') as source_status,
        last_change_datetime as changed_at,
        _batch_id,
        _source_uri,
        _source_row,
        _row_sha256,
        _ingested_at

    from sap_items

),

oracle_unified as (

    select
        tenant_id,
        'oracle' as source_system,
        cast(po_header_id as {{ dbt.type_string() }}) as source_document_id,
        cast(po_line_id as {{ dbt.type_string() }}) as source_line_id,
        order_number as document_number,
        cast(supplier_id as {{ dbt.type_string() }}) as supplier,
        supplier_name,
        item as material,
        category_name as category,
        description,
        procurement_bu as purchasing_unit,
        cast(null as date) as order_date,
        cast(first_update_date_seen as date) as reference_date,
        'first_update_seen' as reference_date_basis,
        quantity,
        unit_source_code,
        unit,
        unit_price as net_price_amount,
        {{ to_decimal('1') }} as net_price_quantity,
        {{ to_decimal('quantity * unit_price') }} as net_amount,
        currency_code as currency,
        is_cancelled as is_deleted,
        line_status as source_status,
        last_update_date as changed_at,
        _batch_id,
        _source_uri,
        _source_row,
        _row_sha256,
        _ingested_at

    from oracle_lines

),

unioned as (

    select * from sap_unified
    union all
    select * from oracle_unified

),

keyed as (

    select
        {{ surrogate_key(['tenant_id', 'source_system', 'source_document_id', 'source_line_id']) }}
            as purchase_line_key,
        unioned.*,
        cast({{ dbt.date_trunc('month', 'reference_date') }} as date) as reference_month

    from unioned

),

-- every rate of the line's currency up to the line's month; the latest one is used
fx_candidates as (

    select
        keyed.purchase_line_key,
        fx_rates.rate_month,
        fx_rates.units_per_eur,
        row_number() over (
            partition by keyed.purchase_line_key
            order by fx_rates.rate_month desc
        ) as rate_recency

    from keyed
    inner join fx_rates
        on keyed.currency = fx_rates.currency
        and fx_rates.rate_month <= keyed.reference_month

),

converted as (

    select
        keyed.*,
        unit_factors.quantity_kind,
        unit_factors.base_unit,
        {{ to_decimal('keyed.quantity * unit_factors.factor_to_base_unit') }} as quantity_in_base_unit,
        fx_candidates.rate_month as fx_rate_month,
        fx_candidates.units_per_eur as fx_units_per_eur,
        case
            when keyed.currency = 'EUR' then 'eur'
            when fx_candidates.rate_month = keyed.reference_month then 'month_rate'
            when fx_candidates.rate_month is not null then 'fallback_rate'
            else 'missing_rate'
        end as fx_status,
        materials.cn_code,
        materials.cbam_good_cn_code,
        materials.cbam_sector

    from keyed
    left join unit_factors
        on keyed.unit = unit_factors.rec20_code
    left join fx_candidates
        on keyed.purchase_line_key = fx_candidates.purchase_line_key
        and fx_candidates.rate_recency = 1
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
