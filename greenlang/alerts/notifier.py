"""Where alerts go: the Dagster log always, and every channel of ``GREENLANG_ALERT_URLS`` through apprise.

One apprise URL per channel (comma-separated), each service's own payload: ``slack://TokenA/TokenB/TokenC``
(a Slack incoming webhook), ``workflows://host/workflow/signature`` (a Teams Workflows webhook, which takes
an Adaptive Card and ignores a bare ``{"text": …}``), ``json://host/path`` (a generic JSON webhook), and the
other services apprise knows. The URLs carry their secrets: they reach the resource as an ``EnvVar``, and
no message of ours names them.
"""

from __future__ import annotations

import logging

import apprise
import dagster as dg

# apprise, and urllib3 beneath it, log each request's URL, secret path and signature included, at DEBUG:
# their records below INFO never reach a handler, whatever level a deployment gives the root logger.
for _logger in ("apprise", "urllib3.connectionpool"):
    logging.getLogger(_logger).setLevel(logging.INFO)


class AlertNotDelivered(RuntimeError):
    """Some configured channel did not take the alert (the sensor tick fails and shows this)."""


class Notifier(dg.ConfigurableResource):
    """Writes each alert to the Dagster log and sends it to the apprise URLs of ``urls``, if any."""

    urls: str = ""

    def notify(self, subject: str, body: str, *, warning: bool = False) -> None:
        dg.get_dagster_logger().error(f"ALERT {subject}\n{body}")
        if not self.urls:
            return
        channels = apprise.Apprise()
        if not channels.add(self.urls):
            raise AlertNotDelivered("GREENLANG_ALERT_URLS holds a URL that apprise does not recognise")
        notify_type = apprise.NotifyType.WARNING if warning else apprise.NotifyType.FAILURE
        if not channels.notify(title=subject, body=body, notify_type=notify_type):
            raise AlertNotDelivered(
                f"the alert {subject!r} did not reach every one of the {len(channels)} channels of "
                "GREENLANG_ALERT_URLS (apprise's warnings in the log say which service answered what)"
            )


def notifier_from_settings(alert_urls: str | None) -> Notifier:
    return Notifier(urls=dg.EnvVar("GREENLANG_ALERT_URLS")) if alert_urls else Notifier()
