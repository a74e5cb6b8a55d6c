"""Alerts: the run-failure sensor and where it sends (the log, or a configured webhook)."""

import dagster as dg

from greenlang.alerts.notifier import notifier_from_settings
from greenlang.alerts.sensors import alert_on_run_failure


def alerts_definitions(webhook_url: str | None) -> dg.Definitions:
    return dg.Definitions(
        sensors=[alert_on_run_failure], resources={"notifier": notifier_from_settings(webhook_url)}
    )
