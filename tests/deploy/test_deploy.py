"""The team deployment (deploy/): the PostgreSQL-backed instance, its daemon launching queued runs that
overlap on one DuckDB file, and the container and Helm examples naming only modules, variables and images
that exist in the repository."""

from __future__ import annotations

import itertools
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest
import yaml

from greenlang.cbam.sources import CBAM_GOODS
from greenlang.core.warehouse import Warehouse, WarehouseResource
from greenlang.ingest.assets import build_ingestion_asset, raw_asset_key
from greenlang.settings import PROJECT_ROOT
from tests.helpers.warehouses import make_settings

DEPLOY = PROJECT_ROOT / "deploy"
LOCATION = Path(__file__).with_name("location.py")
DAGSTER = Path(sys.executable).parent / "dagster"
GOODS_FILE = PROJECT_ROOT / "demo" / "reference" / "cbam_cn_codes_from_default_values_2026_demo.csv"


@pytest.fixture
def team_instance(postgres_database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """deploy/dagster.yaml as is, its storage in a fresh PostgreSQL database."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(DEPLOY / "dagster.yaml", home / "dagster.yaml")
    for name, value in {
        "DAGSTER_PG_HOST": postgres_database.host,
        "DAGSTER_PG_PORT": str(postgres_database.port),
        "DAGSTER_PG_USER": postgres_database.user,
        "DAGSTER_PG_PASSWORD": postgres_database.password,
        "DAGSTER_PG_DB": postgres_database.database,
    }.items():
        monkeypatch.setenv(name, value)
    return home


def _events(instance: dg.DagsterInstance, run_id: str, kind: dg.DagsterEventType) -> list[float]:
    return [event.timestamp for event in instance.all_logs(run_id, of_type=kind)]


def _step_intervals(instance: dg.DagsterInstance, run_id: str) -> list[tuple[float, float]]:
    """(start, end) of each step of the run."""
    starts = {
        event.step_key: event.timestamp
        for event in instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_START)
    }
    ends = {
        event.step_key: event.timestamp
        for event in instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_SUCCESS)
    }
    return [(starts[step], ends[step]) for step in starts]


def test_the_daemon_runs_overlapping_queued_runs_one_warehouse_step_at_a_time(
    team_instance, tmp_path: Path
) -> None:
    """Two runs submitted together to the queue of deploy/dagster.yaml, both writing one DuckDB file: the
    daemon starts both, the warehouse pool lets one step in at a time, both succeed (without the pool the
    second would fail on the file lock)."""
    settings = make_settings("duckdb", tmp_path)
    landing = settings.landing_dir / "global" / CBAM_GOODS.name
    landing.mkdir(parents=True)
    shutil.copy(GOODS_FILE, landing / GOODS_FILE.name)
    workspace = tmp_path / "workspace.yaml"
    workspace.write_text(
        yaml.safe_dump(
            {
                "load_from": [
                    {"python_file": {"relative_path": str(LOCATION), "working_directory": str(PROJECT_ROOT)}}
                ]
            }
        )
    )
    env = {
        **os.environ,
        "DAGSTER_HOME": str(team_instance),
        "GREENLANG_TARGET": "duckdb",
        "GREENLANG_DUCKDB_PATH": str(settings.duckdb_path),
        "GREENLANG_LANDING_DIR": str(settings.landing_dir),
    }
    for job in ("write_slowly", "load_goods"):
        subprocess.run(
            [str(DAGSTER), "job", "launch", "-w", str(workspace), "-j", job],
            env=env,
            cwd=PROJECT_ROOT,
            check=True,
            capture_output=True,
            timeout=120,
        )
    with dg.DagsterInstance.from_config(str(team_instance)) as instance:
        runs = instance.get_runs()
        assert {run.status for run in runs} == {dg.DagsterRunStatus.QUEUED}, "submitted, not yet started"
        daemon = subprocess.Popen(
            [str(Path(sys.executable).parent / "dagster-daemon"), "run", "-w", str(workspace)],
            env=env,
            cwd=PROJECT_ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its code server and run workers too are stopped below
        )
        try:
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                runs = instance.get_runs()
                if all(run.is_finished for run in runs):
                    break
                time.sleep(1)
        finally:
            os.killpg(daemon.pid, signal.SIGTERM)
            daemon.wait(timeout=60)
        assert {run.job_name: run.status for run in runs} == {
            "write_slowly": dg.DagsterRunStatus.SUCCESS,
            "load_goods": dg.DagsterRunStatus.SUCCESS,
        }
        started = {
            run.job_name: _events(instance, run.run_id, dg.DagsterEventType.RUN_START)[0] for run in runs
        }
        ended = {
            run.job_name: _events(instance, run.run_id, dg.DagsterEventType.RUN_SUCCESS)[0] for run in runs
        }
        # the runs overlapped: each started before the other ended …
        assert started["write_slowly"] < ended["load_goods"] and started["load_goods"] < ended["write_slowly"]
        # … and their warehouse steps did not: each step ran alone
        steps = sorted(interval for run in runs for interval in _step_intervals(instance, run.run_id))
        assert len(steps) >= 3  # the slow write, the load and its row-conservation check
        assert all(earlier[1] <= later[0] for earlier, later in itertools.pairwise(steps))
    with Warehouse(settings).session() as session:
        assert session.scalar("SELECT count(*) FROM slow_writes") == 1
        assert session.scalar("SELECT sum(rows_loaded) FROM raw.load_batch") > 0


def test_the_postgres_backed_instance_runs_a_load_and_keeps_its_events(team_instance, tmp_path: Path) -> None:
    settings = make_settings("duckdb", tmp_path)
    landing = settings.landing_dir / "global" / CBAM_GOODS.name
    landing.mkdir(parents=True)
    shutil.copy(GOODS_FILE, landing / GOODS_FILE.name)
    asset = build_ingestion_asset(CBAM_GOODS, settings.landing_dir, settings.tenants)

    with dg.DagsterInstance.from_config(str(team_instance)) as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
        assert type(instance.schedule_storage).__name__ == "PostgresScheduleStorage"
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        assert instance.run_monitoring_enabled
        result = dg.materialize(
            [asset], instance=instance, resources={"warehouse": WarehouseResource.from_settings(settings)}
        )
        assert result.success
        run_id = result.run_id

    # A new instance (another process would be the same): the run and its events were written to Postgres.
    with dg.DagsterInstance.from_config(str(team_instance)) as instance:
        run = instance.get_run_by_id(run_id)
        assert run is not None and run.status == dg.DagsterRunStatus.SUCCESS
        materialization = instance.get_latest_materialization_event(raw_asset_key(CBAM_GOODS))
        assert materialization is not None and materialization.run_id == run_id
        assert materialization.asset_materialization.metadata["rows_loaded"].value > 0
        events = {event.dagster_event_type for event in instance.all_logs(run_id) if event.dagster_event}
        assert dg.DagsterEventType.RUN_SUCCESS in events
        # warehouse writes wait for one another: the pool every writing asset uses has one slot
        assert instance.get_concurrency_config().pool_config.default_pool_limit == 1


def _env_names(text: str) -> set[str]:
    return set(re.findall(r"\b((?:GREENLANG|DAGSTER_PG)_[A-Z_]+)\b", text))


def test_the_container_and_helm_examples_name_what_exists() -> None:
    settings_text = (PROJECT_ROOT / "greenlang" / "settings.py").read_text(encoding="utf-8")
    code_text = "\n".join(
        path.read_text(encoding="utf-8") for path in (PROJECT_ROOT / "greenlang").rglob("*.py")
    )
    known = _env_names(code_text) | _env_names((DEPLOY / "dagster.yaml").read_text(encoding="utf-8"))
    assert "GREENLANG_TARGET" in settings_text

    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    for copied in re.findall(r"^COPY (.+?) \S+$", dockerfile, flags=re.M):
        for item in copied.split():
            assert (PROJECT_ROOT / item).exists(), f"Dockerfile copies {item}, which is not in the repository"
    module = re.search(r'"-m", "([\w.]+)"', dockerfile).group(1)
    assert module == "greenlang.definitions" and (PROJECT_ROOT / "greenlang" / "definitions.py").is_file()

    compose = yaml.safe_load((DEPLOY / "docker-compose.yaml").read_text(encoding="utf-8"))
    assert set(compose["services"]) == {"code_location", "webserver", "daemon"}
    assert compose["services"]["code_location"]["build"]["dockerfile"] == "deploy/Dockerfile"
    images = {service["image"] for service in compose["services"].values()}
    assert images == {"greenlang-warehouse:latest"}
    assert _env_names((DEPLOY / "docker-compose.yaml").read_text(encoding="utf-8")) <= known
    workspace = yaml.safe_load((DEPLOY / "workspace.yaml").read_text(encoding="utf-8"))
    assert workspace["load_from"][0]["grpc_server"]["host"] == "code_location"

    values = yaml.safe_load((DEPLOY / "helm" / "values.yaml").read_text(encoding="utf-8"))
    deployment = values["dagster-user-deployments"]["deployments"][0]
    assert f"{deployment['image']['repository']}:{deployment['image']['tag']}" in images
    assert deployment["dagsterApiGrpcArgs"] == ["-m", "greenlang.definitions"]
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    assert {item["name"] for item in deployment["env"]} <= known
