"""Launch a load, and the models downstream of it, for every new file in the landing directory."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg

from assets.ingestion import raw_asset_key
from ingestion.landing import landed_files
from ingestion.loader import SourceSpec


def load_job_name(spec: SourceSpec) -> str:
    return f"load_{spec.name}"


def build_load_jobs(specs: tuple[SourceSpec, ...]) -> list[dg.UnresolvedAssetJobDefinition]:
    return [
        dg.define_asset_job(
            load_job_name(spec),
            selection=dg.AssetSelection.assets(raw_asset_key(spec)).downstream(),
            description=f"Load new `{spec.name}` files, then rebuild the models that depend on them",
        )
        for spec in specs
    ]


def build_landing_sensor(
    specs: tuple[SourceSpec, ...], jobs: list[dg.UnresolvedAssetJobDefinition], landing_dir: Path
) -> dg.SensorDefinition:
    by_source = {spec.name: spec for spec in specs}

    @dg.sensor(
        name="landing_files",
        jobs=jobs,
        minimum_interval_seconds=30,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=f"Watches {landing_dir}/<tenant>/<source>/ for new or rewritten files",
    )
    def _sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
        seen = set(json.loads(context.cursor)) if context.cursor else set()
        new = [item for item in landed_files(landing_dir) if item.source in by_source]
        new = [item for item in new if item.fingerprint() not in seen]
        if not new:
            return dg.SensorResult(skip_reason=f"no new file in {landing_dir}")
        requests = [
            dg.RunRequest(
                run_key=item.fingerprint(),
                job_name=load_job_name(by_source[item.source]),
                run_config={
                    "ops": {
                        raw_asset_key(by_source[item.source]).to_python_identifier(): {
                            "config": {"files": [str(item.path)], "landing_dir": str(landing_dir)}
                        }
                    }
                },
                tags={"greenlang/tenant": item.tenant_id, "greenlang/file": item.path.name},
            )
            for item in new
        ]
        cursor = sorted(seen | {item.fingerprint() for item in new})
        return dg.SensorResult(run_requests=requests, cursor=json.dumps(cursor))

    return _sensor
