"""`make demo`: generate the demo landing files, materialize the whole warehouse, print what was built."""

from __future__ import annotations

import sys

import dagster as dg

from demo.generate import write_demo_landing
from resources.settings import load_settings
from resources.warehouse import Warehouse

SUMMARY_SCHEMAS = ("raw", "staging", "intermediate", "marts", "reporting", "reference")


def main() -> int:
    settings = load_settings()
    write_demo_landing(settings.landing_dir)
    from definitions import defs  # imported after the landing files exist, as the UI would load it

    with dg.DagsterInstance.get() as instance:
        result = defs.resolve_job_def("build_warehouse").execute_in_process(
            instance=instance, raise_on_error=False
        )
    print(summary(Warehouse(settings)))
    print(f"\nWarehouse: {Warehouse(settings).describe()}\nLanding files: {settings.landing_dir}")
    print("Browse the asset graph, checks and runs with: make ui")
    if not result.success:
        print(f"\nThe build failed: see run {result.run_id} in the Dagster UI (make ui).", file=sys.stderr)
        return 1
    return 0


def summary(warehouse: Warehouse) -> str:
    lines = [f"{'relation':<55} {'kind':<18} {'rows':>10}"]
    with warehouse.session() as session:
        for schema, name, kind in session.relations(SUMMARY_SCHEMAS):
            rows = session.scalar(f'SELECT count(*) FROM "{schema}"."{name}"')
            lines.append(f"{schema + '.' + name:<55} {kind:<18} {rows:>10,}")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
