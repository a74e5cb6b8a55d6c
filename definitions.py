"""The GreenLang Warehouse code location: assembles what assets/, checks/, resources/, sensors/ export."""

import dagster as dg

from assets.dbt import build_dbt_assets
from assets.erp import build_erp_assets
from assets.esrs import esrs_e1_export
from assets.ghg import build_ghg_assets, grid_intensity_job, grid_intensity_schedule
from assets.ingestion import build_ingestion_assets
from checks.asset_checks import build_asset_checks
from checks.erp_checks import build_erp_checks
from checks.esrs_checks import build_esrs_checks
from ingestion.sources import ERP_SOURCES, LANDING_SOURCES
from resources.dbt import dbt_resource
from resources.erp import OracleFusionResource, SapS4HanaResource, WorkdayResource
from resources.grid import CarbonIntensityResource
from resources.notifier import notifier_from_settings
from resources.settings import Settings, load_settings
from resources.warehouse import WarehouseResource
from sensors.alerts import alert_on_run_failure
from sensors.erp import build_erp_change_sensor, build_erp_sync_jobs, erp_hourly_sync, erp_sync_job
from sensors.landing import build_landing_sensor, build_load_jobs, build_rebuild_sensors
from sensors.schedules import build_partitioned_load_schedules, build_warehouse_job, daily_build


def erp_resources() -> dict[str, dg.ConfigurableResource]:
    """The ERP clients; URLs and credentials only from the environment (docs/design.md, "Settings")."""
    return {
        "sap": SapS4HanaResource(
            base_url=dg.EnvVar("GREENLANG_SAP_BASE_URL"),
            client_id=dg.EnvVar("GREENLANG_SAP_CLIENT_ID"),
            client_secret=dg.EnvVar("GREENLANG_SAP_CLIENT_SECRET"),
        ),
        "oracle": OracleFusionResource(
            base_url=dg.EnvVar("GREENLANG_ORACLE_BASE_URL"),
            username=dg.EnvVar("GREENLANG_ORACLE_USERNAME"),
            password=dg.EnvVar("GREENLANG_ORACLE_PASSWORD"),
        ),
        "workday": WorkdayResource(
            base_url=dg.EnvVar("GREENLANG_WORKDAY_BASE_URL"),
            tenant=dg.EnvVar("GREENLANG_WORKDAY_TENANT"),
            report_owner=dg.EnvVar("GREENLANG_WORKDAY_REPORT_OWNER"),
            username=dg.EnvVar("GREENLANG_WORKDAY_USERNAME"),
            password=dg.EnvVar("GREENLANG_WORKDAY_PASSWORD"),
        ),
    }


def build_definitions(settings: Settings) -> dg.Definitions:
    load_jobs = build_load_jobs(LANDING_SOURCES)
    erp_jobs = build_erp_sync_jobs(ERP_SOURCES)
    return dg.Definitions(
        assets=[
            *build_ingestion_assets(settings.landing_dir),
            *build_ghg_assets(settings.landing_dir),
            *build_erp_assets(ERP_SOURCES, settings.erp_tenant),
            build_dbt_assets(settings.target),
            esrs_e1_export,
        ],
        asset_checks=[*build_asset_checks(), *build_erp_checks(ERP_SOURCES), *build_esrs_checks()],
        jobs=[build_warehouse_job, *load_jobs, erp_sync_job, *erp_jobs, grid_intensity_job],
        schedules=[
            daily_build,
            *build_partitioned_load_schedules(LANDING_SOURCES),
            erp_hourly_sync,
            grid_intensity_schedule,
        ],
        sensors=[
            build_landing_sensor(LANDING_SOURCES, load_jobs, settings.landing_dir),
            *build_rebuild_sensors(LANDING_SOURCES),
            build_erp_change_sensor(ERP_SOURCES, erp_jobs),
            alert_on_run_failure,
        ],
        resources={
            "warehouse": WarehouseResource.from_settings(settings),
            "dbt": dbt_resource(settings),
            "notifier": notifier_from_settings(settings.alert_webhook_url),
            **erp_resources(),
            "grid": CarbonIntensityResource(base_url=dg.EnvVar("GREENLANG_GRID_API_URL")),
        },
        # DuckDB allows one writing process per file: steps run one at a time there.
        executor=dg.multiprocess_executor.configured({"max_concurrent": 1})
        if settings.target == "duckdb"
        else None,
    )


defs = build_definitions(load_settings())
