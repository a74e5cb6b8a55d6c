"""Landing-file sources: for each declared source its asset, row-conservation check, load job and (daily
partitioned) schedule; one landing sensor over them all; the ledger tables."""

from collections.abc import Collection, Sequence
from pathlib import Path

import dagster as dg

from greenlang.core.loader import SourceSpec
from greenlang.ingest.assets import build_ingestion_assets
from greenlang.ingest.checks import build_row_conservation_checks
from greenlang.ingest.sensors import (
    build_landing_sensor,
    build_load_jobs,
    build_partitioned_load_schedules,
)


def landing_definitions(
    specs: Sequence[SourceSpec], landing_dir: Path, tenants: Collection[str]
) -> dg.Definitions:
    specs = tuple(specs)
    jobs = build_load_jobs(specs)
    return dg.Definitions(
        assets=build_ingestion_assets(specs, landing_dir, tenants),
        asset_checks=build_row_conservation_checks(specs),
        jobs=jobs,
        schedules=build_partitioned_load_schedules(specs),
        sensors=[build_landing_sensor(specs, jobs, landing_dir, tenants)],
    )
