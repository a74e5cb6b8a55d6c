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
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest
import yaml

from greenlang.cbam.sources import CBAM_GOODS
from greenlang.core.warehouse import WAREHOUSE_POOL, Warehouse, WarehouseResource
from greenlang.ingest.assets import build_ingestion_asset, raw_asset_key
from greenlang.settings import PROJECT_ROOT, Settings
from tests.deploy.location import HOLDING_MESSAGE
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


def _landing_with_goods(tmp_path: Path) -> Settings:
    """Test settings whose landing folder holds the CBAM goods file (tenant ``global``)."""
    settings = make_settings("duckdb", tmp_path)
    landing = settings.landing_dir / "global" / CBAM_GOODS.name
    landing.mkdir(parents=True)
    shutil.copy(GOODS_FILE, landing / GOODS_FILE.name)
    return settings


@dataclass(frozen=True)
class Location:
    """The test code location (location.py) as the daemon and `dagster job launch` load it."""

    workspace: Path
    env: dict[str, str]

    def launch(self, job: str) -> None:
        """Submit a run of ``job`` to the instance's queue."""
        subprocess.run(
            [str(DAGSTER), "job", "launch", "-w", str(self.workspace), "-j", job],
            env=self.env,
            cwd=PROJECT_ROOT,
            check=True,
            capture_output=True,
            timeout=120,
        )

    @contextmanager
    def daemon(self) -> Iterator[None]:
        """A real ``dagster-daemon`` on the instance, stopped with its code server and run workers."""
        daemon = subprocess.Popen(
            [str(Path(sys.executable).parent / "dagster-daemon"), "run", "-w", str(self.workspace)],
            env=self.env,
            cwd=PROJECT_ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its code server and run workers too are stopped below
        )
        try:
            yield
        finally:
            os.killpg(daemon.pid, signal.SIGTERM)
            daemon.wait(timeout=60)
            # what outlived the daemon (its code server can miss the SIGTERM while it starts up)
            with suppress(ProcessLookupError):
                os.killpg(daemon.pid, signal.SIGKILL)


def _location(home: Path, settings: Settings, tmp_path: Path) -> Location:
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
        "DAGSTER_HOME": str(home),
        "GREENLANG_TARGET": "duckdb",
        "GREENLANG_DUCKDB_PATH": str(settings.duckdb_path),
        "GREENLANG_LANDING_DIR": str(settings.landing_dir),
    }
    return Location(workspace, env)


def _wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s"
        time.sleep(0.2)


def test_the_daemon_runs_overlapping_queued_runs_one_warehouse_step_at_a_time(
    team_instance, tmp_path: Path
) -> None:
    """Two runs submitted together to the queue of deploy/dagster.yaml, both writing one DuckDB file: the
    daemon starts both, the warehouse pool lets one step in at a time, both succeed (without the pool the
    second would fail on the file lock)."""
    settings = _landing_with_goods(tmp_path)
    location = _location(team_instance, settings, tmp_path)
    for job in ("write_slowly", "load_goods"):
        location.launch(job)
    with dg.DagsterInstance.from_config(str(team_instance)) as instance:
        runs = instance.get_runs()
        assert {run.status for run in runs} == {dg.DagsterRunStatus.QUEUED}, "submitted, not yet started"
        with location.daemon():
            _wait_until(
                lambda: all(run.is_finished for run in instance.get_runs()), 180, "both runs finished"
            )
        runs = instance.get_runs()
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


# The test's run monitoring: the daemon looks every second and frees a finished run's slots one second after
# it ended (deploy/dagster.yaml: every minute, after five minutes). 0 would turn the freeing off.
QUICK_RUN_MONITORING = {"poll_interval_seconds": 1, "free_slots_after_run_end_seconds": 1}
# From the kill: the code server notices the dead worker (it looks every 0.5 s) and the daemon frees the slot
# (QUICK_RUN_MONITORING): about 2 s; without run monitoring's freeing the slot is never freed.
SLOT_FREED_WITHIN_SECONDS = 15
# Then the queue starts the waiting run, whose worker and step process each load the location: 10 to 20 s
# on a busy machine of two cores.
WAITING_STEP_STARTS_WITHIN_SECONDS = 45


def _monitor_quickly(home: Path) -> None:
    """The instance of ``home`` with deploy/dagster.yaml's run monitoring, polling in seconds."""
    config_file = home / "dagster.yaml"
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    config["run_monitoring"].update(QUICK_RUN_MONITORING)
    config_file.write_text(yaml.safe_dump(config), encoding="utf-8")


def _logged(instance: dg.DagsterInstance, run_id: str, message: str) -> bool:
    """The run logged an event whose message starts with ``message``."""
    return any(event.message.startswith(message) for event in instance.all_logs(run_id))


def _run_worker_pid(instance: dg.DagsterInstance, run_id: str) -> int:
    """The process the code server started for the run (its "Started process for run" engine event)."""
    for event in instance.all_logs(run_id, of_type=dg.DagsterEventType.ENGINE_EVENT):
        if event.message.startswith("Started process for run"):
            return int(event.dagster_event.engine_event_data.metadata["pid"].value)
    raise AssertionError(f"run {run_id} reported no run worker")


def _process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (Linux /proc): a run worker and the step processes it started."""
    children = [
        int(child)
        for task in Path(f"/proc/{pid}/task").iterdir()
        for child in (task / "children").read_text().split()
    ]
    return [pid, *(descendant for child in children for descendant in _process_tree(child))]


def _slot_holders(instance: dg.DagsterInstance) -> set[str]:
    return {
        slot.run_id for slot in instance.event_log_storage.get_concurrency_info(WAREHOUSE_POOL).claimed_slots
    }


@pytest.mark.slow
def test_a_killed_run_frees_its_warehouse_slot_for_the_next_queued_run(team_instance, tmp_path: Path) -> None:
    """deploy/dagster.yaml's run monitoring, polling in seconds: a run killed with SIGKILL while its step holds
    the warehouse pool's one slot (and an open DuckDB write) is marked failed, its slot is freed, and a run
    queued behind it starts and succeeds. The write the kill interrupted left nothing."""
    _monitor_quickly(team_instance)
    settings = _landing_with_goods(tmp_path)
    location = _location(team_instance, settings, tmp_path)
    with dg.DagsterInstance.from_config(str(team_instance)) as instance, location.daemon():
        location.launch("write_until_killed")  # while the daemon loads the location
        (killed,) = instance.get_runs()
        _wait_until(
            lambda: _logged(instance, killed.run_id, HOLDING_MESSAGE), 60, "the writer holds the warehouse"
        )
        location.launch("load_goods")
        waiting = next(run for run in instance.get_runs() if run.job_name == "load_goods")
        assert _slot_holders(instance) == {killed.run_id}

        killed_at = time.time()
        for pid in _process_tree(_run_worker_pid(instance, killed.run_id)):
            os.kill(pid, signal.SIGKILL)
        _wait_until(
            lambda: killed.run_id not in _slot_holders(instance), SLOT_FREED_WITHIN_SECONDS, "slot freed"
        )
        freed_after = time.time() - killed_at
        _wait_until(lambda: instance.get_run_by_id(waiting.run_id).is_finished, 120, "the waiting run ended")

        assert instance.get_run_by_id(killed.run_id).status == dg.DagsterRunStatus.FAILURE
        # reported by the code server that started the worker (the default run launcher has no health check)
        assert _logged(
            instance,
            killed.run_id,
            f"[DagsterApiServer] Run execution process for {killed.run_id} was terminated by signal 9 (SIGKILL)",
        )
        failed_after = _events(instance, killed.run_id, dg.DagsterEventType.RUN_FAILURE)[0] - killed_at
        assert instance.get_run_by_id(waiting.run_id).status == dg.DagsterRunStatus.SUCCESS
        step_started_after = (
            min(_events(instance, waiting.run_id, dg.DagsterEventType.STEP_START)) - killed_at
        )
    print(
        f"after the kill: run failed {failed_after:.1f} s, slot freed {freed_after:.1f} s, "
        f"waiting run's first warehouse step started {step_started_after:.1f} s"
    )
    assert 0 < failed_after <= freed_after < step_started_after < WAITING_STEP_STARTS_WITHIN_SECONDS
    with Warehouse(settings).session() as session:
        assert (
            session.scalar(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = 'killed_writes'"
            )
            == 0
        ), "the killed write's transaction was never committed"
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


def test_the_local_instance_frees_a_killed_runs_slot_like_the_team_deployment(tmp_path: Path) -> None:
    """demo/dagster.yaml (make ui) has the team deployment's pool and run monitoring, with its own intervals."""
    shutil.copy(PROJECT_ROOT / "demo" / "dagster.yaml", tmp_path / "dagster.yaml")
    team = yaml.safe_load((DEPLOY / "dagster.yaml").read_text(encoding="utf-8"))
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        assert instance.run_monitoring_enabled
        local = instance.run_monitoring_settings
        assert set(local) == set(team["run_monitoring"])
        assert local["free_slots_after_run_end_seconds"] > 0, "0 never frees a finished run's slots"
        assert local["poll_interval_seconds"] < team["run_monitoring"]["poll_interval_seconds"]
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
    assert set(compose["services"]) == {"code_location", "webserver", "daemon", "metrics"}
    assert compose["services"]["metrics"]["command"][:3] == ["python", "-m", "greenlang.observe.metrics"]
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
