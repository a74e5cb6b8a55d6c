"""OpenLineage events (the OpenLineage 2-0-2 spec, https://openlineage.io/spec/2-0-2/OpenLineage.json) of
the warehouse's jobs: each load of a delivery (landing file or API page → its raw table and the dead
letters) and each dbt invocation (its sources and upstream models → the models it published).

Pure builders make the events from what the warehouse records (a ``raw.load_batch`` row; dbt's manifest and
run results); ``LineageResource`` sends them through the transport of ``GREENLANG_LINEAGE_URL`` (HTTP, e.g.
Marquez's ``/api/v1/lineage``) and/or ``GREENLANG_LINEAGE_FILE`` (one JSON event per line), or nowhere when
neither is set. Names follow OpenLineage's dataset naming: ``postgres://host:port`` with
``database.schema.table``; a DuckDB file as ``duckdb://<path>`` with ``catalog.schema.table``; a local file
as namespace ``file`` and its path.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import attr
import dagster as dg
from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import (
    DatasetFacet,
    dataset_version_dataset,
    error_message_run,
    job_type_job,
    output_statistics_output_dataset,
    parent_run,
)

from greenlang.settings import LineageSettings, Settings

# OpenLineage's producer: the URI of the software that made the event.
PRODUCER = "urn:greenlang-warehouse:0.1.0"
# Where the schema of our own facet is documented (docs/architecture.md, "Lineage").
DELIVERY_FACET_SCHEMA = "urn:greenlang-warehouse:facets:DeliveryDatasetFacet:1"
# runIds of loads derive from their batch id, so a batch emitted twice is the same run twice.
RUN_ID_NAMESPACE = uuid.UUID("5b7f2e8c-3c1d-4e0a-9a6b-1f2d3c4b5a69")


@attr.define
class DeliveryDatasetFacet(DatasetFacet):
    """What the ledger knows of a delivery: its content hash and the contract it was validated against."""

    fileSha256: str  # OpenLineage facets are camelCase
    contractName: str
    contractVersion: str
    tenantId: str
    fileFormat: str | None = None
    fileEncoding: str | None = None

    _additional_skip_redact: ClassVar[list[str]] = ["fileSha256", "contractName", "contractVersion"]

    @staticmethod
    def _get_schema() -> str:
        return DELIVERY_FACET_SCHEMA


@attr.define(frozen=True)
class WarehouseNaming:
    """The OpenLineage namespace of the warehouse and the catalog (database) its tables are named in."""

    namespace: str
    database: str

    @classmethod
    def of(cls, settings: Settings, database: str) -> WarehouseNaming:
        if settings.target == "postgres":
            return cls(f"postgres://{settings.postgres.host}:{settings.postgres.port}", database)
        return cls(f"duckdb://{settings.duckdb_path}", database)

    def table(self, schema: str, name: str, facets: Mapping[str, Any] | None = None) -> OutputDataset:
        return OutputDataset(self.namespace, f"{self.database}.{schema}.{name}", facets=dict(facets or {}))


def _event_time(moment: dt.datetime) -> str:
    """The ledger's naive UTC timestamps as ISO 8601 with their zone."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).isoformat()


def delivery_dataset(source_uri: str) -> tuple[str, str]:
    """(namespace, name) of a delivery: a local file as ``file`` and its path; a URL as scheme://host and its
    path (the query is left out: it may carry credentials)."""
    parts = urlsplit(source_uri)
    if parts.scheme in ("", "file"):
        return "file", parts.path or source_uri
    return f"{parts.scheme}://{parts.netloc}", parts.path or "/"


def _job_type(job_type: str) -> dict[str, Any]:
    return {
        "jobType": job_type_job.JobTypeJobFacet(
            processingType="BATCH", integration="GREENLANG", jobType=job_type, producer=PRODUCER
        )
    }


def load_run_id(batch_id: str) -> str:
    return str(uuid.uuid5(RUN_ID_NAMESPACE, f"load_batch:{batch_id}"))


def load_events(batch: Mapping[str, Any], warehouse: WarehouseNaming, job_namespace: str) -> list[RunEvent]:
    """START and COMPLETE (or FAIL) of one ``raw.load_batch`` row: the delivery read, the raw table and the
    dead letters written (each with the rows it got), the sha256 and contract version as a facet."""
    namespace, name = delivery_dataset(batch["source_uri"])
    delivery = InputDataset(
        namespace,
        name,
        facets={
            "delivery": DeliveryDatasetFacet(
                fileSha256=batch["file_sha256"],
                contractName=batch["contract_name"],
                contractVersion=batch["contract_version"],
                tenantId=batch["tenant_id"],
                fileFormat=batch.get("file_format"),
                fileEncoding=batch.get("file_encoding"),
                producer=PRODUCER,
            ),
            "version": dataset_version_dataset.DatasetVersionDatasetFacet(
                datasetVersion=batch["file_sha256"], producer=PRODUCER
            ),
        },
    )

    def written(table: str, rows: int) -> OutputDataset:
        return warehouse.table(
            "raw",
            table,
            {
                "outputStatistics": output_statistics_output_dataset.OutputStatisticsOutputDatasetFacet(
                    rowCount=int(rows), producer=PRODUCER
                )
            },
        )

    job = Job(namespace=job_namespace, name=f"load.{batch['source']}", facets=_job_type("LOAD"))
    run_id = load_run_id(batch["batch_id"])
    start = RunEvent(
        eventType=RunState.START,
        eventTime=_event_time(batch["started_at"]),
        run=Run(runId=run_id),
        job=job,
        producer=PRODUCER,
        inputs=[delivery],
    )
    succeeded = batch["status"] == "succeeded"
    end = RunEvent(
        eventType=RunState.COMPLETE if succeeded else RunState.FAIL,
        eventTime=_event_time(batch["finished_at"]),
        run=Run(runId=run_id, facets={} if succeeded else _error(batch.get("error") or batch["status"])),
        job=job,
        producer=PRODUCER,
        inputs=[delivery],
        outputs=[
            written(batch["source"], batch["rows_loaded"]),
            written("dead_letter", batch["rows_rejected"]),
        ]
        if succeeded
        else [],
    )
    return [start, end]


def _error(message: str) -> dict[str, Any]:
    return {
        "errorMessage": error_message_run.ErrorMessageRunFacet(
            message=message, programmingLanguage="python", producer=PRODUCER
        )
    }


def _relation(node: Mapping[str, Any]) -> tuple[str, str]:
    """(schema, name) of a dbt node; its database is the warehouse's (the manifest's is the parse's)."""
    return node["schema"], node.get("identifier") or node.get("alias") or node["name"]


def dbt_events(
    manifest: Mapping[str, Any],
    built: Iterable[str],
    published: Iterable[str],
    warehouse: WarehouseNaming,
    job_namespace: str,
    *,
    run_id: str,
    started_at: dt.datetime,
    finished_at: dt.datetime,
    succeeded: bool,
    parent: tuple[str, str] | None = None,
) -> list[RunEvent]:
    """START and COMPLETE (or FAIL) of one dbt invocation: the relations it published are its outputs, the
    sources and models its built nodes read, and did not build themselves, its inputs. ``parent``: the
    (job name, run id) of the Dagster run that invoked it."""
    nodes = {**manifest.get("nodes", {}), **manifest.get("sources", {})}
    built = [unique_id for unique_id in built if unique_id in nodes]
    published = sorted(set(published))
    upstream = sorted(
        {
            dependency
            for unique_id in built
            for dependency in nodes[unique_id].get("depends_on", {}).get("nodes", [])
            if dependency in nodes
            and dependency not in published
            and nodes[dependency]["resource_type"] in ("source", "model", "seed", "snapshot")
        }
    )

    def dataset(unique_id: str, kind: type) -> Any:
        schema, name = _relation(nodes[unique_id])
        return kind(warehouse.namespace, f"{warehouse.database}.{schema}.{name}")

    run_facets: dict[str, Any] = {}
    if parent is not None:
        job_name, parent_run_id = parent
        run_facets["parent"] = parent_run.ParentRunFacet(
            run=parent_run.Run(runId=parent_run_id),
            job=parent_run.Job(namespace=job_namespace, name=job_name),
            producer=PRODUCER,
        )
    job = Job(namespace=job_namespace, name="dbt.build", facets=_job_type("DBT"))
    start = RunEvent(
        eventType=RunState.START,
        eventTime=_event_time(started_at),
        run=Run(runId=run_id, facets=run_facets),
        job=job,
        producer=PRODUCER,
    )
    held_back = sorted(set(built) - set(published))
    end_facets = dict(run_facets)
    if not succeeded:
        end_facets.update(
            _error(f"dbt build failed; not published: {', '.join(held_back) or 'nothing built'}")
        )
    end = RunEvent(
        eventType=RunState.COMPLETE if succeeded else RunState.FAIL,
        eventTime=_event_time(finished_at),
        run=Run(runId=run_id, facets=end_facets),
        job=job,
        producer=PRODUCER,
        inputs=[dataset(unique_id, InputDataset) for unique_id in upstream],
        outputs=[dataset(unique_id, OutputDataset) for unique_id in published if unique_id in nodes],
    )
    return [start, end]


def lineage_client(settings: LineageSettings) -> OpenLineageClient | None:
    """The client of the configured transports (both: a composite of the two); None when none is."""
    transports = []
    if settings.url:
        http: dict[str, Any] = {"type": "http", "url": settings.url}
        if settings.api_key:
            http["auth"] = {"type": "api_key", "apiKey": settings.api_key}
        transports.append(http)
    if settings.file:
        settings.file.parent.mkdir(parents=True, exist_ok=True)
        transports.append({"type": "file", "log_file_path": str(settings.file), "append": True})
    if not transports:
        return None
    transport = transports[0] if len(transports) == 1 else {"type": "composite", "transports": transports}
    return OpenLineageClient(config={"transport": transport})


class LineageResource(dg.ConfigurableResource):
    """Where the lineage events go (``greenlang.settings.LineageSettings``); the API key is an ``EnvVar``."""

    url: str = ""
    api_key: str = ""
    file: str = ""
    namespace: str = "greenlang"

    @classmethod
    def from_settings(cls, settings: LineageSettings) -> LineageResource:
        return cls(
            url=settings.url or "",
            api_key=dg.EnvVar("GREENLANG_LINEAGE_API_KEY") if settings.api_key else "",
            file=str(settings.file or ""),
            namespace=settings.namespace,
        )

    @property
    def settings(self) -> LineageSettings:
        return LineageSettings(
            url=self.url or None,
            api_key=self.api_key or None,
            file=Path(self.file) if self.file else None,
            namespace=self.namespace,
        )

    def emit(self, events: Iterable[RunEvent]) -> int:
        """Send ``events`` in order; the number sent (0 when no transport is configured)."""
        client = lineage_client(self.settings)
        if client is None:
            return 0
        count = 0
        for event in events:
            client.emit(event)
            count += 1
        return count
