"""Alerts through the configured notifier: every failed run, and every WARN check a successful run failed
(a delivery that did not load fails only itself and its ``no_failed_deliveries`` check, not the run).
An ERROR check that fails a run is in the run's failure alert."""

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


@dg.run_status_sensor(
    name="alert_on_failed_warn_checks",
    run_status=dg.DagsterRunStatus.SUCCESS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Sends the WARN checks a successful run failed (e.g. a file that did not load), with their "
    "metadata, to the configured notifier",
)
def alert_on_failed_warn_checks(context: dg.RunStatusSensorContext, notifier: Notifier) -> None:
    run = context.dagster_run
    failed = [
        evaluation
        for event in context.instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
        if (evaluation := event.dagster_event.asset_check_evaluation_data) is not None
        and not evaluation.passed
        and evaluation.severity == dg.AssetCheckSeverity.WARN
    ]
    if not failed:
        return
    lines = [
        f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}: "
        + ", ".join(f"{name}={value.value}" for name, value in evaluation.metadata.items())
        for evaluation in failed
    ]
    notifier.notify(
        subject=f"GreenLang checks warned in run {run.job_name}: {len(failed)}",
        body=f"run {run.run_id}\n" + "\n".join(lines),
    )
