"""Where alerts go: the run log by default, a webhook (Slack, Teams, PagerDuty…) when configured."""

from __future__ import annotations

import dagster as dg
import requests


class Notifier(dg.ConfigurableResource):
    """Writes alerts to the Dagster log; the base for notifiers that send them elsewhere."""

    def notify(self, subject: str, body: str) -> None:
        dg.get_dagster_logger().error(f"ALERT {subject}\n{body}")


class WebhookNotifier(Notifier):
    """POSTs alerts as JSON (``{"text": …}``, the shape Slack and Teams incoming webhooks accept)."""

    url: str
    timeout_seconds: float = 10.0

    def notify(self, subject: str, body: str) -> None:
        response = requests.post(
            self.url,
            json={"text": f"*{subject}*\n{body}", "subject": subject, "body": body},
            timeout=self.timeout_seconds,
        )
        response.raise_for_status()


def notifier_from_settings(webhook_url: str | None) -> Notifier:
    return WebhookNotifier(url=dg.EnvVar("GREENLANG_ALERT_WEBHOOK_URL")) if webhook_url else Notifier()
