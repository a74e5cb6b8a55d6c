"""The warehouse itself: the dbt project as assets, the daily whole-warehouse build, the warehouse and
dbt resources, and the executor each target allows."""

import dagster as dg

from greenlang.core.warehouse import WarehouseResource
from greenlang.settings import Settings
from greenlang.warehouse.dbt import build_dbt_assets, dbt_resource
from greenlang.warehouse.jobs import build_warehouse_job, daily_build


def warehouse_definitions(settings: Settings) -> dg.Definitions:
    return dg.Definitions(
        assets=[build_dbt_assets(settings.target)],
        jobs=[build_warehouse_job],
        schedules=[daily_build],
        resources={"warehouse": WarehouseResource.from_settings(settings), "dbt": dbt_resource(settings)},
        # DuckDB allows one writing process per file: steps run one at a time there.
        executor=dg.multiprocess_executor.configured({"max_concurrent": 1})
        if settings.target == "duckdb"
        else None,
    )
