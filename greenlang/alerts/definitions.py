"""Alerts: the run-failure and failed-check sensors and where they send (the log, and the apprise URLs of
``GREENLANG_ALERT_URLS``)."""

import dagster as dg

from greenlang.alerts.notifier import notifier_from_settings
from greenlang.alerts.sensors import alert_on_failed_checks, alert_on_run_failure


def alerts_definitions(alert_urls: str | None) -> dg.Definitions:
    return dg.Definitions(
        sensors=[alert_on_run_failure, alert_on_failed_checks],
        resources={"notifier": notifier_from_settings(alert_urls)},
    )
