"""ERP: every entity of ``greenlang.erp.sources`` as an asset with its checks and sync job, the hourly
schedule, the change sensor, and the clients (URLs and credentials only from the environment)."""

from collections.abc import Collection, Mapping
from pathlib import Path

import dagster as dg

from greenlang.erp.assets import build_erp_assets
from greenlang.erp.checks import build_erp_checks
from greenlang.erp.clients import OracleFusionResource, SapS4HanaResource, WorkdayResource
from greenlang.erp.sensors import build_erp_change_sensor, build_erp_sync_jobs, erp_hourly_sync, erp_sync_job
from greenlang.erp.sources import ERP_SOURCES


def erp_resources(rate_limit_store: Path) -> dict[str, dg.ConfigurableResource]:
    """The ERP clients; URLs and credentials only from the environment (docs/design.md, "Settings"), the
    rate limits shared by every process of this machine through ``rate_limit_store``."""
    shared = {"rate_limit_store": str(rate_limit_store)}
    return {
        "sap": SapS4HanaResource(
            base_url=dg.EnvVar("GREENLANG_SAP_BASE_URL"),
            client_id=dg.EnvVar("GREENLANG_SAP_CLIENT_ID"),
            client_secret=dg.EnvVar("GREENLANG_SAP_CLIENT_SECRET"),
            **shared,
        ),
        "oracle": OracleFusionResource(
            base_url=dg.EnvVar("GREENLANG_ORACLE_BASE_URL"),
            username=dg.EnvVar("GREENLANG_ORACLE_USERNAME"),
            password=dg.EnvVar("GREENLANG_ORACLE_PASSWORD"),
            **shared,
        ),
        "workday": WorkdayResource(
            base_url=dg.EnvVar("GREENLANG_WORKDAY_BASE_URL"),
            tenant=dg.EnvVar("GREENLANG_WORKDAY_TENANT"),
            report_owner=dg.EnvVar("GREENLANG_WORKDAY_REPORT_OWNER"),
            username=dg.EnvVar("GREENLANG_WORKDAY_USERNAME"),
            password=dg.EnvVar("GREENLANG_WORKDAY_PASSWORD"),
            **shared,
        ),
    }


def erp_definitions(
    tenants: Mapping[str, str], registered: Collection[str], rate_limit_store: Path
) -> dg.Definitions:
    """``tenants``: per ERP system, the tenant whose records its configured client reaches, which must be
    one of the ``registered`` tenants for its syncs to run."""
    jobs = build_erp_sync_jobs(ERP_SOURCES)
    return dg.Definitions(
        assets=build_erp_assets(registered, ERP_SOURCES, tenants),
        asset_checks=build_erp_checks(ERP_SOURCES),
        jobs=[erp_sync_job, *jobs],
        schedules=[erp_hourly_sync],
        sensors=[build_erp_change_sensor(ERP_SOURCES, jobs, registered, tenants)],
        resources=erp_resources(rate_limit_store),
    )
