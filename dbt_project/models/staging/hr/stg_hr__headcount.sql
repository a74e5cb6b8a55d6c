-- Headcount per site and month, one row per (tenant, period, site_id), latest received version.
-- commuting_mode_share: optional staff-survey shares of commuting distance per mode, as received
-- ('car=0.55;rail=0.2;bus=0.1;bike=0.15'); the modes the commuting method knows are extracted
-- (ghg_pair_value): car, bus, rail, other (emitting) and walk, bike, cycle (no emissions); a mode
-- not named is 0. survey_share_known_modes is their sum: the test
-- assert_ghg_commuting_survey_shares_add_up fails when it is not 1 (a share missing, mistyped or of a
-- mode the method does not know), so no commuting is dropped silently.
-- commuting_km_per_employee: optional survey distance (km per employee and year, all modes); NULL:
-- the country assumption applies (int_ghg__emission_requests).

{%- set modes = ['car', 'bus', 'rail', 'other', 'walk', 'bike', 'cycle'] %}

with

source as (

    select * from {{ source('raw', 'hr__headcount') }}

),

renamed as (

    select
        tenant_id,
        cast(period as date) as period,
        site_id,
        cast(headcount as integer) as headcount,
        nullif(trim(commuting_mode_share), '') as commuting_mode_share,
        {{ to_decimal('commuting_km_per_employee') }} as commuting_km_per_employee,
        {%- for mode in modes %}
        {{ to_decimal(ghg_pair_value("nullif(trim(commuting_mode_share), '')", mode)) }} as survey_share_{{ mode }},
        {%- endfor %}
        {{ provenance_columns() }}

    from source

),

ranked as (

    {{ latest_per_key(
        'renamed',
        partition_by=['tenant_id', 'period', 'site_id'],
                rank_column='version_rank'
    ) }}

),

final as (

    select
        tenant_id,
        period,
        site_id,
        headcount,
        commuting_mode_share,
        commuting_km_per_employee,
        {%- for mode in modes %}
        survey_share_{{ mode }},
        {%- endfor %}
        {{ to_decimal('survey_share_' ~ (modes | join(' + survey_share_'))) }} as survey_share_known_modes,
        _batch_id,
        _source_uri,
        _source_row,
        _row_sha256,
        _ingested_at

    from ranked

)

select * from final
