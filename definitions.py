"""The GreenLang Warehouse code location: assembles what assets/, checks/, resources/, sensors/ export."""

import dagster as dg

from assets.dbt import build_dbt_assets
from assets.ingestion import build_ingestion_assets
from checks.asset_checks import build_asset_checks
from ingestion.sources import SOURCES
from resources.dbt import dbt_resource
from resources.notifier import notifier_from_settings
from resources.settings import Settings, load_settings
from resources.warehouse import WarehouseResource
from sensors.alerts import alert_on_run_failure
from sensors.landing import build_landing_sensor, build_load_jobs
from sensors.schedules import build_warehouse_job, daily_build


def build_definitions(settings: Settings) -> dg.Definitions:
    load_jobs = build_load_jobs(SOURCES)
    return dg.Definitions(
        assets=[*build_ingestion_assets(settings.landing_dir), build_dbt_assets(settings.target)],
        asset_checks=build_asset_checks(),
        jobs=[build_warehouse_job, *load_jobs],
        schedules=[daily_build],
        sensors=[build_landing_sensor(SOURCES, load_jobs, settings.landing_dir), alert_on_run_failure],
        resources={
            "warehouse": WarehouseResource.from_settings(settings),
            "dbt": dbt_resource(settings),
            "notifier": notifier_from_settings(settings.alert_webhook_url),
        },
        # DuckDB allows one writing process per file: steps run one at a time there.
        executor=dg.multiprocess_executor.configured({"max_concurrent": 1})
        if settings.target == "duckdb"
        else None,
    )


defs = build_definitions(load_settings())
