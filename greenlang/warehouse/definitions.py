"""The warehouse itself: the dbt project as assets, the Looker dashboards (dbt exposures) downstream of
them, the automation sensor that rebuilds them after their
upstream changes, the whole-warehouse build job, the nightly meter-stream reconciliation, the warehouse, dbt and
lineage resources, and the executor each
target allows."""

import dagster as dg

from greenlang.core.lineage import LineageResource
from greenlang.core.warehouse import WarehouseResource
from greenlang.settings import Settings
from greenlang.warehouse.dbt import build_dbt_assets, dbt_resource, exposure_specs
from greenlang.warehouse.jobs import (
    automation_sensor,
    build_warehouse_job,
    reconcile_meter_stream_job,
    reconcile_meter_stream_nightly,
)


def warehouse_definitions(settings: Settings) -> dg.Definitions:
    return dg.Definitions(
        assets=[build_dbt_assets(settings.target), *exposure_specs(settings.target)],
        jobs=[build_warehouse_job, reconcile_meter_stream_job],
        schedules=[reconcile_meter_stream_nightly],
        sensors=[automation_sensor],
        # the warehouse's own resources, and where lineage goes, shared with the domains (greenlang.observe)
        resources={
            "warehouse": WarehouseResource.from_settings(settings),
            "dbt": dbt_resource(settings),
            "lineage": LineageResource.from_settings(settings.lineage),
        },
        # DuckDB allows one writing process per file: steps run one at a time there.
        executor=dg.multiprocess_executor.configured({"max_concurrent": 1})
        if settings.target == "duckdb"
        else None,
    )
