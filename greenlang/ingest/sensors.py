"""The landing sensor, the load jobs it launches, and the daily schedules of the daily-partitioned sources.

The warehouse's ledger decides what to load: a file whose (tenant, source, sha256) has a succeeded batch in
``raw.load_batch`` never launches a run (nor does an entry the landing directory refuses, once its
``refused`` batch is recorded: ``greenlang.core.landing``), whatever the sensor's cursor holds (none after a wiped Dagster
instance, or a fresh one). The cursor only spares work: a high-water mark of the files' change times, the
files changed at exactly that mark, and the last day that had a partition. A tick lists the files but
hashes only those changed since, and the cursor does not grow with the landing directory.

The files a tick finds go into one run per source, one per source and day for a daily-partitioned source
(its day from ``greenlang.core.landing.delivery_day``). A load job materializes its raw asset and checks,
nothing more: the models downstream rebuild by declarative automation (``greenlang.core.automation``).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from greenlang.core.landing import LandedFile, landed_files
from greenlang.core.loader import Delivery, SourceSpec, loaded_deliveries
from greenlang.core.warehouse import Session, WarehouseResource, WarehouseUnavailable
from greenlang.ingest.assets import LANDING_DAYS, partitions_for, raw_asset_key, recent_day_requests


def load_job_name(spec: SourceSpec) -> str:
    return f"load_{spec.name}"


def build_load_jobs(specs: tuple[SourceSpec, ...]) -> list[dg.UnresolvedAssetJobDefinition]:
    return [
        dg.define_asset_job(
            load_job_name(spec),
            # partitioned as its asset is, if it is
            selection=dg.AssetSelection.assets(raw_asset_key(spec)),
            description=(
                f"Load the `{spec.name}` files of a day (partition) or of a range (backfill)"
                if spec.daily_partitions
                else f"Load the `{spec.name}` files of the run config, else every waiting one"
            )
            + "; the models downstream follow by automation",
        )
        for spec in specs
    ]


@dataclass(frozen=True)
class LandingCursor:
    """What the sensor has looked at: every file changed before ``mark_ns``, those changed at exactly
    ``mark_ns`` as they were then (``at_mark``: relative path and size), and the daily partitions up to
    ``last_day`` (a file of a later day waits until its day has a partition)."""

    mark_ns: int = -1
    at_mark: frozenset[str] = frozenset()
    last_day: str | None = None

    @classmethod
    def parse(cls, text: str | None) -> LandingCursor:
        value = json.loads(text) if text else None
        # none yet, or the list of every file's fingerprint that earlier versions kept: start afresh,
        # the ledger says what is loaded
        if not isinstance(value, dict):
            return cls()
        return cls(value["mark_ns"], frozenset(value["at_mark"]), value["last_day"])

    def dumps(self) -> str:
        return json.dumps(
            {"mark_ns": self.mark_ns, "at_mark": sorted(self.at_mark), "last_day": self.last_day}
        )


@dataclass(frozen=True)
class Seen:
    """A landed file as a tick sees it, from one ``stat``."""

    file: LandedFile
    # the inode change time: the kernel sets it to now on every write, rename into the folder, copy or
    # touch. An mtime can be anything (``cp -p``, ``rsync -t`` and ``mv`` keep the sender's, a skewed
    # clock sets a future one), so a mark on it would miss files arriving with an old one.
    changed_ns: int
    # relative path and size: tells apart two versions written within one tick of a coarse file clock
    fingerprint: str

    @classmethod
    def of(cls, item: LandedFile, landing_dir: Path) -> Seen:
        stat = item.path.lstat()
        return cls(item, stat.st_ctime_ns, f"{item.path.relative_to(landing_dir).as_posix()}:{stat.st_size}")

    def is_new(self, cursor: LandingCursor) -> bool:
        return self.changed_ns > cursor.mark_ns or (
            self.changed_ns == cursor.mark_ns and self.fingerprint not in cursor.at_mark
        )


def advance(cursor: LandingCursor, seen: Iterable[Seen], last_day: str) -> LandingCursor:
    """The cursor after a tick that looked at every file of ``seen``."""
    seen = list(seen)
    mark = max([cursor.mark_ns, *(item.changed_ns for item in seen)])
    return LandingCursor(
        mark, frozenset(item.fingerprint for item in seen if item.changed_ns == mark), last_day
    )


def run_key(source: str, day: str | None, files: Iterable[LandedFile]) -> str:
    """The same files (same content, same change time) give the same key: a tick evaluated again does not
    launch a second run."""
    digest = hashlib.sha256("\n".join(sorted(item.fingerprint() for item in files)).encode()).hexdigest()
    return f"{source}@{day}#{digest[:32]}" if day else f"{source}#{digest[:32]}"


def build_landing_sensor(
    specs: tuple[SourceSpec, ...],
    jobs: list[dg.UnresolvedAssetJobDefinition],
    landing_dir: Path,
    tenants: Collection[str],
) -> dg.SensorDefinition:
    by_source = {spec.name: spec for spec in specs}

    @dg.sensor(
        name="landing_files",
        jobs=jobs,
        minimum_interval_seconds=30,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=(
            f"Watches {landing_dir}/<tenant>/<source>/ and loads the new or rewritten files that "
            "raw.load_batch does not hold yet (loaded, or refused with its reason): one run per source "
            "(and day, if partitioned)"
        ),
    )
    def _sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseResource) -> dg.SensorResult:
        cursor = LandingCursor.parse(context.cursor)
        last_day = LANDING_DAYS.get_last_partition_key()
        seen = [Seen.of(item, landing_dir) for item in landed_files(landing_dir, tenants, by_source)]
        days = {item.file: _partition_key(by_source[item.file.source], item.file) for item in seen}

        def day_came(item: Seen) -> bool:
            """A file that waited for its day, which has a partition since the last tick."""
            day = days[item.file]
            return day is not None and cursor.last_day is not None and day > cursor.last_day

        candidates = [item.file for item in seen if item.is_new(cursor) or day_came(item)]
        for item in candidates:
            if not _has_partition(by_source[item.source], days[item]):
                context.log.warning(
                    f"{item.path}: its day {days[item]} has no partition (before the first day, or after "
                    "today): it waits for its day"
                )
        candidates = [item for item in candidates if _has_partition(by_source[item.source], days[item])]
        next_cursor = advance(cursor, seen, last_day).dumps()
        if not candidates:
            return dg.SensorResult(skip_reason=f"no new file in {landing_dir}", cursor=next_cursor)

        deliveries = _deliveries(context, candidates)
        try:
            with warehouse.get_warehouse().session(read_only=True) as session:
                settled = _settled(session, deliveries)
        except WarehouseUnavailable as error:
            # the cursor stays: the same files are looked at again next tick
            return dg.SensorResult(
                skip_reason=f"the ledger cannot be read now, {len(deliveries)} new file(s) wait for the next tick: {error}"
            )
        to_load = [item for item, delivery in deliveries.items() if delivery not in settled]
        if not to_load:
            return dg.SensorResult(
                skip_reason=f"{len(deliveries)} new or changed file(s), every one loaded already (raw.load_batch)",
                cursor=next_cursor,
            )
        runs: dict[tuple[str, str | None], list[LandedFile]] = defaultdict(list)
        for item in to_load:
            runs[(item.source, days[item])].append(item)
        return dg.SensorResult(
            run_requests=[
                _load_request(by_source[source], day, items, landing_dir)
                for (source, day), items in sorted(runs.items(), key=lambda run: (run[0][0], run[0][1] or ""))
            ],
            cursor=next_cursor,
        )

    return _sensor


def _settled(session: Session, deliveries: dict[LandedFile, Delivery]) -> set[Delivery]:
    """The deliveries the ledger holds as they are now: loaded (a succeeded batch), or refused (a refused
    batch) if refused now; a refused file loads once its reason is gone (its tenant registered)."""
    refused = [delivery for item, delivery in deliveries.items() if item.refusal is not None]
    loadable = [delivery for item, delivery in deliveries.items() if item.refusal is None]
    return loaded_deliveries(session, loadable) | loaded_deliveries(session, refused, status="refused")


def _deliveries(context: dg.SensorEvaluationContext, files: list[LandedFile]) -> dict[LandedFile, Delivery]:
    """Each file as the ledger would record it; a file gone or unreadable meanwhile is left out."""
    deliveries = {}
    for item in files:
        try:
            deliveries[item] = (item.tenant_id, item.source, item.sha256())
        except OSError as error:
            context.log.warning(f"{item.path}: cannot be read ({error}), left out")
    return deliveries


def _load_request(
    spec: SourceSpec, day: str | None, files: list[LandedFile], landing_dir: Path
) -> dg.RunRequest:
    return dg.RunRequest(
        run_key=run_key(spec.name, day, files),
        job_name=load_job_name(spec),
        partition_key=day,
        run_config={
            "ops": {
                raw_asset_key(spec).to_python_identifier(): {
                    "config": {
                        "files": sorted(str(item.path) for item in files),
                        "landing_dir": str(landing_dir),
                    }
                }
            }
        },
        tags={
            "greenlang/source": spec.name,
            "greenlang/tenants": ",".join(sorted({item.tenant_id for item in files})),
            "greenlang/files": str(len(files)),
        },
    )


def _partition_key(spec: SourceSpec, item: LandedFile) -> str | None:
    return item.day().isoformat() if spec.daily_partitions else None


def _has_partition(spec: SourceSpec, key: str | None) -> bool:
    """False for a file of a day before the partitions start or after today: it waits for its day."""
    return key is None or partitions_for(spec).has_partition_key(key)


def build_partitioned_load_schedules(specs: tuple[SourceSpec, ...]) -> list[dg.ScheduleDefinition]:
    """Each daily-partitioned source loads yesterday's and today's files daily: what the landing sensor
    missed (stopped) is loaded; what is loaded stays once."""
    schedules = []
    for spec in specs:
        if not spec.daily_partitions:
            continue

        @dg.schedule(
            name=f"{load_job_name(spec)}_daily",
            job_name=load_job_name(spec),
            cron_schedule="30 4 * * *",
            execution_timezone="UTC",
            default_status=dg.DefaultScheduleStatus.RUNNING,
            description=f"Loads yesterday's and today's `{spec.name}` files at 04:30 UTC (what the sensor missed)",
        )
        def _schedule(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest]:
            return recent_day_requests(context)

        schedules.append(_schedule)
    return schedules
