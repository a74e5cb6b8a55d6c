"""Alerts: the run-failure and warned-check sensors and where they send (the log, or a configured webhook)."""

import dagster as dg

from greenlang.alerts.notifier import notifier_from_settings
from greenlang.alerts.sensors import alert_on_failed_warn_checks, alert_on_run_failure


def alerts_definitions(webhook_url: str | None) -> dg.Definitions:
    return dg.Definitions(
        sensors=[alert_on_run_failure, alert_on_failed_warn_checks],
        resources={"notifier": notifier_from_settings(webhook_url)},
    )
