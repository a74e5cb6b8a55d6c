"""Observability beyond the Dagster UI: the lineage of every load sent out when a transport is configured
(the metrics exporter is a process of its own: ``python -m greenlang.observe.metrics``)."""

import dagster as dg

from greenlang.observe.lineage import load_lineage
from greenlang.settings import Settings


def observe_definitions(settings: Settings) -> dg.Definitions:
    return dg.Definitions(sensors=[load_lineage] if settings.lineage.enabled else [])
