"""`make demo`: generate the demo landing files, materialize the whole warehouse, print what was built."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import dagster as dg

from demo.erp import erp_run_config, running_erps
from demo.generate import write_demo_landing
from demo.ghg import DEMO_GRID_WINDOW, running_grid_api, write_ghg_demo_landing
from greenlang.catalog import LANDING_SOURCES
from greenlang.core.landing import landed_files
from greenlang.core.warehouse import Session, Warehouse, WarehouseUnavailable
from greenlang.ingest.sensors import load_job_name
from greenlang.settings import load_settings

SUMMARY_SCHEMAS = ("raw", "reference", "staging", "intermediate", "marts", "reporting")
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def main() -> int:
    settings = load_settings()
    try:
        if Warehouse(settings).ensure_database():
            print(f"Created the database {settings.postgres.database}")
    except WarehouseUnavailable as error:
        print(error, file=sys.stderr)
        return 2
    write_demo_landing(settings.landing_dir)
    write_ghg_demo_landing(settings.landing_dir)
    with running_erps(), running_grid_api():
        from greenlang.definitions import (
            defs,  # imported after the landing files exist, as the UI would load it
        )

        print(f"Materializing every asset into {Warehouse(settings).describe()} …", flush=True)
        with dg.DagsterInstance.get() as instance:
            first, last = DEMO_GRID_WINDOW[0].date(), (DEMO_GRID_WINDOW[1] - dt.timedelta(days=1)).date()
            partitioned = [
                run_partition_range(defs, instance, "grid_intensity", first, last, QUIET),
                *load_partitioned_sources(defs, instance, settings.landing_dir, QUIET),
            ]
            job = defs.resolve_job_def("build_warehouse")
            result = job.execute_in_process(
                instance=instance, raise_on_error=False, run_config={**QUIET, **erp_run_config()}
            )
    checks = [check for run in (*partitioned, result) for check in run.get_asset_check_evaluations()]
    with Warehouse(settings).session() as session:
        print(relations(session))
        print(headline(session))
    problems = {
        severity: [
            f"{check.asset_key.to_user_string()}:{check.check_name}"
            for check in checks
            if not check.passed and check.severity == severity
        ]
        for severity in (dg.AssetCheckSeverity.ERROR, dg.AssetCheckSeverity.WARN)
    }
    errors, warnings = problems[dg.AssetCheckSeverity.ERROR], problems[dg.AssetCheckSeverity.WARN]
    passed = len(checks) - len(errors) - len(warnings)
    print(
        f"\nAsset checks: {passed} passed, {len(warnings)} warned{_listed(warnings)}, "
        f"{len(errors)} failed{_listed(errors)}"
    )
    print(f"Landing files: {settings.landing_dir}\nBrowse the asset graph, checks and runs: make ui")
    if not all(run.success for run in (*partitioned, result)):
        print(f"\nThe build failed: see run {result.run_id} in the Dagster UI (make ui).", file=sys.stderr)
        return 1
    return 0


def _listed(names: list[str]) -> str:
    return f" {names}" if names else ""


def run_partition_range(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    job_name: str,
    first: dt.date,
    last: dt.date,
    run_config: dict,
) -> dg.ExecuteInProcessResult:
    """One run over the days first..last of a daily-partitioned job, as a backfill launches it."""
    return defs.resolve_job_def(job_name).execute_in_process(
        instance=instance,
        raise_on_error=False,
        run_config=run_config,
        tags={
            "dagster/asset_partition_range_start": first.isoformat(),
            "dagster/asset_partition_range_end": last.isoformat(),
        },
    )


def load_partitioned_sources(
    defs: dg.Definitions, instance: dg.DagsterInstance, landing_dir: Path, run_config: dict
) -> list[dg.ExecuteInProcessResult]:
    """Every day that has landed files of a daily-partitioned source, one run per run of consecutive days."""
    runs = []
    for spec in LANDING_SOURCES:
        if spec.daily_partitions:
            days = sorted({item.day() for item in landed_files(landing_dir, spec.name)})
            for first, last in consecutive_runs(days):
                runs.append(run_partition_range(defs, instance, load_job_name(spec), first, last, run_config))
    return runs


def consecutive_runs(days: list[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Sorted days as (first, last) runs of consecutive days: [1, 2, 3, 7] -> [(1, 3), (7, 7)]."""
    runs: list[tuple[dt.date, dt.date]] = []
    for day in days:
        if runs and day - runs[-1][1] == dt.timedelta(days=1):
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def relations(session: Session) -> str:
    lines = [f"\n{'relation':<55} {'kind':<18} {'rows':>10}"]
    for schema, name, kind in session.relations(SUMMARY_SCHEMAS):
        rows = session.scalar(f'SELECT count(*) FROM "{schema}"."{name}"')
        lines.append(f"{schema + '.' + name:<55} {kind:<18} {rows:>10,}")
    return "\n".join(lines)


def headline(session: Session) -> str:
    loads = session.fetch_dicts(
        "SELECT count(*) AS files, sum(rows_read) AS read, sum(rows_loaded) AS loaded, "
        "sum(rows_rejected) AS rejected FROM raw.load_batch WHERE status = 'succeeded'"
    )[0]
    tenants = session.fetch_dicts(
        "SELECT tenant_id, count(*) AS lines, sum(net_mass_tonnes) AS mass, sum(embedded_total) AS emissions, "
        "sum(CASE WHEN emission_method = 'default' THEN net_mass_tonnes ELSE 0 END) AS on_defaults "
        "FROM marts.fct_cbam_imports GROUP BY tenant_id ORDER BY tenant_id"
    )
    lines = [
        f"\nLoaded {loads['files']} files: {loads['read']:,} rows read = {loads['loaded']:,} loaded "
        f"+ {loads['rejected']:,} rejected (raw.dead_letter)",
        f"\n{'tenant':<16} {'import lines':>12} {'net mass t':>14} {'embedded tCO2e':>16} {'mass on defaults':>17}",
    ]
    for row in tenants:
        lines.append(
            f"{row['tenant_id']:<16} {row['lines']:>12,} {row['mass']:>14,.3f} {row['emissions']:>16,.3f} "
            f"{row['on_defaults'] / row['mass']:>17.1%}"
        )
    inventory = session.fetch_dicts(
        "SELECT tenant_id, reporting_year, scope_1_tco2e, scope_2_location_tco2e, scope_2_market_tco2e, "
        "scope_3_tco2e, total_location_tco2e FROM reporting.rpt_esrs_e1_6_ghg ORDER BY tenant_id, reporting_year"
    )
    lines.append(
        f"\n{'ESRS E1-6, tCO2e':<22} {'Scope 1':>12} {'Scope 2 loc.':>13} {'Scope 2 mkt.':>13} {'Scope 3':>12} "
        f"{'total (loc.)':>13}"
    )
    for row in inventory:
        figures = [row[name] or 0 for name in list(row)[2:]]
        lines.append(
            f"{row['tenant_id'] + ' ' + str(row['reporting_year']):<22} {figures[0]:>12,.3f} {figures[1]:>13,.3f} "
            f"{figures[2]:>13,.3f} {figures[3]:>12,.3f} {figures[4]:>13,.3f}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
