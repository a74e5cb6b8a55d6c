"""The GreenLang Warehouse code location: assembles what each domain defines, nothing else."""

import dagster as dg

from greenlang.alerts.definitions import alerts_definitions
from greenlang.catalog import LANDING_SOURCES
from greenlang.cbam.definitions import cbam_definitions
from greenlang.erp.definitions import erp_definitions
from greenlang.esrs.definitions import esrs_definitions
from greenlang.ghg.definitions import ghg_definitions
from greenlang.ingest.definitions import landing_definitions
from greenlang.lifecycle.definitions import lifecycle_definitions
from greenlang.observe.definitions import observe_definitions
from greenlang.quality.definitions import quality_definitions
from greenlang.settings import Settings, load_settings
from greenlang.warehouse.definitions import warehouse_definitions


def build_definitions(settings: Settings) -> dg.Definitions:
    return dg.Definitions.merge(
        landing_definitions(LANDING_SOURCES, settings.landing_dir, settings.tenants),
        cbam_definitions(settings),
        ghg_definitions(settings.landing_dir, settings.nats_url is not None, settings.tenants),
        erp_definitions(settings.erp_tenants, settings.tenants, settings.erp_rate_limit_store),
        esrs_definitions(),
        warehouse_definitions(settings),
        quality_definitions(settings),
        alerts_definitions(settings.alert_urls),
        observe_definitions(settings),
        lifecycle_definitions(settings.archive),
    )


defs = build_definitions(load_settings())
