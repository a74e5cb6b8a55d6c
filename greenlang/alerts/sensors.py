"""Alert on every failed run through the configured notifier."""

import dagster as dg

from greenlang.alerts.notifier import Notifier


@dg.run_failure_sensor(
    name="alert_on_run_failure",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Sends every failed run, with its failed steps and error, to the configured notifier",
)
def alert_on_run_failure(context: dg.RunFailureSensorContext, notifier: Notifier) -> None:
    run = context.dagster_run
    failed_steps = [event.step_key for event in context.get_step_failure_events()]
    notifier.notify(
        subject=f"GreenLang run failed: {run.job_name}",
        body=(
            f"run {run.run_id}\nfailed steps: {', '.join(filter(None, failed_steps)) or 'none'}\n"
            f"error: {context.failure_event.message}"
        ),
    )
