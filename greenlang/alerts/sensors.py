"""Alerts through the configured notifier: every failed run that will not be retried, and every check a
successful run failed, WARN or ERROR (a delivery that did not load fails only itself and its
``no_failed_deliveries`` check, not the run; a non-blocking ERROR check does not fail it either). An ERROR
check that fails a run is in the run's failure alert."""

import dagster as dg

from greenlang.alerts.notifier import Notifier

# With run retries on (the instance's ``run_retries``, or a run's ``dagster/max_retries`` tag), Dagster
# tags each failed run, when it fails, with whether its automatic retry will be launched (Dagster 1.9.5
# and later: "Tags are now added to run at failure time indicating if the run will be retried").
WILL_RETRY_TAG = "dagster/will_retry"


def will_be_retried(run: dg.DagsterRun) -> bool:
    return run.tags.get(WILL_RETRY_TAG, "false").lower() == "true"


@dg.run_failure_sensor(
    name="alert_on_run_failure",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Sends every failed run that will not be retried, with its failed steps and error, to the "
    "configured notifier",
)
def alert_on_run_failure(context: dg.RunFailureSensorContext, notifier: Notifier) -> dg.SkipReason | None:
    # The run as stored now: the retry tag is added after the failure event the context was made from.
    run = context.instance.get_run_by_id(context.dagster_run.run_id) or context.dagster_run
    if will_be_retried(run):
        return dg.SkipReason(f"run {run.run_id} failed and will be retried")
    failed_steps = [event.step_key for event in context.get_step_failure_events()]
    notifier.notify(
        subject=f"GreenLang run failed: {run.job_name}",
        body=(
            f"run {run.run_id}\nfailed steps: {', '.join(filter(None, failed_steps)) or 'none'}\n"
            f"error: {context.failure_event.message}"
        ),
    )
    return None


@dg.run_status_sensor(
    name="alert_on_failed_checks",
    run_status=dg.DagsterRunStatus.SUCCESS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Sends the checks a successful run failed, WARN or ERROR (e.g. a file that did not load), "
    "with their metadata, to the configured notifier",
)
def alert_on_failed_checks(context: dg.RunStatusSensorContext, notifier: Notifier) -> None:
    run = context.dagster_run
    failed = [
        evaluation
        for event in context.instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
        if (evaluation := event.dagster_event.asset_check_evaluation_data) is not None
        and not evaluation.passed
    ]
    if not failed:
        return
    lines = [
        f"{evaluation.severity.value} {evaluation.asset_key.to_user_string()}:{evaluation.check_name}: "
        + ", ".join(f"{name}={value.value}" for name, value in evaluation.metadata.items())
        for evaluation in failed
    ]
    notifier.notify(
        subject=f"GreenLang checks failed in run {run.job_name}: {len(failed)}",
        body=f"run {run.run_id}\n" + "\n".join(lines),
        warning=all(evaluation.severity == dg.AssetCheckSeverity.WARN for evaluation in failed),
    )
