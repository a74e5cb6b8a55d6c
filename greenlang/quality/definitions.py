"""Data quality (docs/quality.md): the scorecard's threshold check, schema drift on every raw table,
anomalies in the marts' key measures, and column-schema changes of the marts."""

import dagster as dg

from greenlang.catalog import RAW_SOURCES
from greenlang.quality.checks import build_anomaly_check, build_quality_score_check, build_schema_drift_check
from greenlang.settings import Settings
from greenlang.warehouse.dbt import mart_keys


def quality_definitions(settings: Settings) -> dg.Definitions:
    return dg.Definitions(
        asset_checks=[
            build_quality_score_check(settings.quality_score_warn_below, settings.quality_score_floor),
            build_schema_drift_check(RAW_SOURCES),
            build_anomaly_check(settings.anomaly_min_points),
            *dg.build_column_schema_change_checks(assets=mart_keys(settings.target)),
        ]
    )
