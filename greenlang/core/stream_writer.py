"""The micro-batch writer: messages of a broker (``greenlang.core.broker``) into a raw table, exactly once.

Each micro-batch, pulled from a durable consumer and bounded by ``max_batch`` (what the writer holds in
memory, whatever the rate upstream):

1. each message is validated against the source's contract (its JSON payload; the tenant and the fields
   its subject implies, ``StreamSource.route``); a message that fails goes to ``raw.dead_letter`` with its
   reasons, its subject as ``source_uri`` and its broker sequence as ``source_row``;
2. in ONE transaction: the valid readings are upserted into the raw table, one row per business key
   (``StreamSource.key``): a received version replaces the stored one when it ranks better
   (``StreamSource.precedence_sql``, lower first) or ranks the same and came later in the log; the dead
   letters, one ``raw.load_batch`` row per tenant of the batch (rows_read = rows_loaded + rows_rejected)
   and the consumer's position (``raw.stream_position``) are written with them;
3. the broker is acknowledged only after the commit.

Exactly once: the position is the warehouse's, committed with the rows; the writer starts the broker's
consumer after it (``StreamConsumer.start_after``) and skips any message at or before it. A crash before
the commit leaves nothing and the batch is delivered again; a crash between the commit and the
acknowledgement delivers the batch again, and the position skips it. The upsert by key makes a replay of
the same messages (a consumer of its own, started at a point in time) leave the table as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
import uuid
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
from pydantic import ValidationError

from greenlang.core.broker import StreamConsumer, StreamDeclaration, StreamMessage
from greenlang.core.loader import SourceSpec, migrate_raw_tables
from greenlang.core.readers import loads_exact, open_records
from greenlang.core.tenants import tenant_refusal
from greenlang.core.validation import (
    ROW_HASH,
    SOURCE_ROW,
    BatchValidator,
    ContractMismatchError,
    field_errors,
    field_rules,
)
from greenlang.core.warehouse import RAW_SCHEMA, Session, Warehouse

STREAM_FORMAT = "jetstream"
_BATCH_TABLE = "_stream_batch"


@dataclass(frozen=True)
class Route:
    """What a message's subject says: its tenant, and fields the payload must agree with."""

    tenant_id: str
    fields: dict[str, str]


@dataclass(frozen=True)
class StreamSource:
    """A raw table fed from a broker's stream, declared once (like a ``SourceSpec`` for files)."""

    spec: SourceSpec  # the raw table and the contract of a message's payload
    stream: StreamDeclaration
    key: tuple[str, ...]  # the raw table holds one row per key (with tenant_id)
    # the key's event-time column: a batch replaces stored rows only within its own range of it, so that the
    # engine reads those rows and not the whole table (PostgreSQL: the key index; DuckDB: zone maps)
    event_time: str
    precedence_sql: str  # over a raw row: the version that ranks lower wins (then the later in the log)
    route: Callable[[str], Route | str]  # a subject → its Route, or why it is refused

    def column_names(self) -> list[str]:
        return ["tenant_id", *(rule.name for rule in field_rules(self.spec.contract))]


@dataclass(frozen=True)
class BatchResult:
    read: int
    loaded: int
    rejected: int
    skipped: int  # delivered again after a crash: already committed, only acknowledged
    last_sequence: int
    last_published_at: dt.datetime | None
    committed_at: dt.datetime


@dataclass
class DrainResult:
    batches: int = 0
    read: int = 0
    loaded: int = 0
    rejected: int = 0
    skipped: int = 0
    largest_batch: int = 0
    seconds: float = 0.0
    # seconds from the broker storing a message to the warehouse committing it, one per message read
    latencies: list[float] | None = None

    def add(self, result: BatchResult, latencies: list[float]) -> None:
        self.batches += 1
        self.read += result.read
        self.loaded += result.loaded
        self.rejected += result.rejected
        self.skipped += result.skipped
        self.largest_batch = max(self.largest_batch, result.read + result.skipped)
        if self.latencies is not None:
            self.latencies.extend(latencies)

    @property
    def messages_per_second(self) -> float:
        return self.read / self.seconds if self.seconds else 0.0


def committed_position(session: Session, consumer: str) -> int:
    return (
        session.scalar(
            f"SELECT last_sequence FROM {RAW_SCHEMA}.stream_position WHERE consumer = %(consumer)s",
            {"consumer": consumer},
        )
        or 0
    )


class MicroBatchWriter:
    """Writes one stream consumer's messages into the warehouse (see the module). One writer per consumer
    name at a time: a second would race the first's position."""

    def __init__(
        self,
        warehouse: Warehouse,
        source: StreamSource,
        consumer: StreamConsumer,
        consumer_name: str,
        tenants: Collection[str],
        *,
        max_batch: int,
    ):
        self.warehouse = warehouse
        self.source = source
        self.consumer = consumer
        self.consumer_name = consumer_name
        self.tenants = tenants
        self.max_batch = max_batch
        self.position = 0
        self._validators: dict[tuple[str, ...], BatchValidator] = {}

    def drain(
        self,
        session: Session,
        *,
        idle_seconds: float = 1.0,
        max_seconds: float | None = None,
        not_before: dt.datetime | None = None,
        keep_latencies: bool = False,
    ) -> DrainResult:
        """Write micro-batches until none arrives for ``idle_seconds`` (or ``max_seconds`` passed)."""
        migrate_raw_tables(session, [self.source.spec])
        session.ensure_key_index(self.source.spec.raw_table, ("tenant_id", *self.source.key))
        self.position = committed_position(session, self.consumer_name)
        self.consumer.start_after(self.position, not_before=not_before)
        result = DrainResult(latencies=[] if keep_latencies else None)
        started = time.monotonic()

        def in_time() -> bool:
            return max_seconds is None or time.monotonic() - started < max_seconds

        # the next batch is read while this one is validated and committed (the broker's round trips and the
        # warehouse's overlap); it is acknowledged only after its own commit
        with ThreadPoolExecutor(1, thread_name_prefix="stream-read-ahead") as reader:
            ahead = reader.submit(self.consumer.pull, self.max_batch, idle_seconds) if in_time() else None
            while ahead is not None and (messages := ahead.result()):
                ahead = reader.submit(self.consumer.pull, self.max_batch, idle_seconds) if in_time() else None
                batch = self.write(session, messages)
                self.consumer.ack(messages)
                committed = batch.committed_at
                result.add(
                    batch,
                    [(committed - message.published_at).total_seconds() for message in messages]
                    if keep_latencies
                    else [],
                )
        result.seconds = time.monotonic() - started
        return result

    def write(self, session: Session, messages: Sequence[StreamMessage]) -> BatchResult:
        """Validate and commit one micro-batch (not acknowledged: the caller does, after this returns)."""
        fresh = sorted((message for message in messages if message.sequence > self.position), key=_sequence)
        skipped = len(messages) - len(fresh)
        if not fresh:
            return BatchResult(0, 0, 0, skipped, self.position, None, _utcnow())
        ingested_at = _utcnow()
        routed: list[tuple[StreamMessage, str, dict]] = []
        rejected: list[tuple[StreamMessage, str, str, list[dict]]] = []  # message, tenant, received, errors
        for message in fresh:
            tenant, payload, errors = self._route(message)
            if errors:
                received = json.dumps({"payload": message.data.decode("utf-8", errors="replace")})
                rejected.append((message, tenant, received, errors))
            else:
                routed.append((message, tenant, payload))
        valid, refused = self._validate([payload for _message, _tenant, payload in routed])
        rejected.extend(
            (routed[index][0], routed[index][1], received, errors) for index, received, errors in refused
        )
        positions = [index - 1 for index in valid.column(SOURCE_ROW).to_pylist()]
        loaded_tenants = [routed[index][1] for index in positions]
        first, last = fresh[0].sequence, fresh[-1].sequence
        ledgers = {
            tenant: self._ledger(
                tenant,
                first,
                last,
                ingested_at,
                loaded=loaded_tenants.count(tenant),
                rejected=sum(
                    1
                    for _message, rejected_tenant, _received, _errors in rejected
                    if rejected_tenant == tenant
                ),
            )
            for tenant in sorted(
                {*loaded_tenants, *(tenant for _message, tenant, _received, _errors in rejected)}
            )
        }
        rows = self._raw_rows(
            valid, [routed[index][0] for index in positions], loaded_tenants, ledgers, ingested_at
        )
        dead_letters = [
            self._dead_letter(message, tenant, received, errors, ledgers[tenant]["batch_id"], ingested_at)
            for message, tenant, received, errors in rejected
        ]
        last_published_at = max(message.published_at for message in fresh)
        with session.transaction():
            if rows.num_rows:
                self._upsert(session, rows)
            if dead_letters:
                session.insert_arrow(f"{RAW_SCHEMA}.dead_letter", pa.Table.from_pylist(dead_letters))
            session.insert_arrow(f"{RAW_SCHEMA}.load_batch", pa.Table.from_pylist(list(ledgers.values())))
            self._record_position(session, last, len(fresh), last_published_at)
        committed_at = _utcnow()
        self.position = last
        return BatchResult(
            read=len(fresh),
            loaded=rows.num_rows,
            rejected=len(dead_letters),
            skipped=skipped,
            last_sequence=last,
            last_published_at=last_published_at,
            committed_at=committed_at,
        )

    def _route(self, message: StreamMessage) -> tuple[str, dict, list[dict]]:
        """The message's tenant and JSON object, or why it cannot reach the contract (its subject, its
        tenant, a payload that is no JSON object or names another meter than its subject)."""
        route = self.source.route(message.subject)
        if isinstance(route, str):
            return _subject_tenant(message.subject), {}, [{"field": None, "message": route}]
        refusal = tenant_refusal(route.tenant_id, self.tenants)
        if refusal:
            return route.tenant_id, {}, [{"field": None, "message": refusal}]
        try:
            payload = loads_exact(message.data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            return route.tenant_id, {}, [{"field": None, "message": f"the payload is not JSON: {error}"}]
        if not isinstance(payload, dict):
            return route.tenant_id, {}, [{"field": None, "message": "the payload is not a JSON object"}]
        mismatched = [
            {"field": name, "message": f"the subject names {expected!r}, the payload {payload.get(name)!r}"}
            for name, expected in route.fields.items()
            if payload.get(name) != expected
        ]
        return route.tenant_id, payload, mismatched

    def _validate(self, payloads: list[dict]) -> tuple[pa.Table, list[tuple[int, str, list[dict]]]]:
        """The payloads through the contract's validation of the file loads (``BatchValidator``: vectorised,
        the contract itself for what the fast path does not accept). Returns the valid rows (typed contract
        fields, ``_source_row`` = the payload's 1-based index, ``_row_sha256``) and the rejected ones as
        (index, received values as JSON, errors)."""
        contract = self.source.spec.contract
        if not payloads:
            return pa.table({SOURCE_ROW: pa.array([], pa.int64())}), []
        source = open_records(payloads, STREAM_FORMAT)
        columns = tuple(source.schema.names)
        if columns not in self._validators:  # a validator compiles its SQL once per set of columns
            try:
                self._validators[columns] = BatchValidator(contract, list(columns))
            except ContractMismatchError:
                # no payload of the batch has a column the contract requires: each is rejected for it
                return self._validate_each(payloads)
        validator = self._validators[columns]
        valid, rejected = [], []
        for batch in source.iter_batches(len(payloads)):
            result = validator.validate(batch)
            valid.append(result.valid)
            rejected.extend(
                (row["source_row"] - 1, row["raw_record"], json.loads(row["errors"]))
                for row in result.rejected
            )
        return pa.concat_tables(valid), rejected

    def _validate_each(self, payloads: list[dict]) -> tuple[pa.Table, list[tuple[int, str, list[dict]]]]:
        rejected = []
        for index, payload in enumerate(payloads):
            try:
                self.source.spec.contract.model_validate(payload)
            except ValidationError as error:
                rejected.append((index, json.dumps(payload, ensure_ascii=False), field_errors(error)))
        if len(rejected) < len(payloads):
            raise AssertionError("a payload the batch validator refused passed the contract")
        return pa.table({SOURCE_ROW: pa.array([], pa.int64())}), rejected

    def _raw_rows(
        self,
        valid: pa.Table,
        messages: list[StreamMessage],
        tenants: list[str],
        ledgers: dict[str, dict],
        ingested_at: dt.datetime,
    ) -> pa.Table:
        """The raw table's rows: the tenant, the contract's fields, the provenance of each message."""
        if not messages:
            return pa.table({})
        fields = [rule.name for rule in field_rules(self.source.spec.contract)]
        return pa.table(
            {
                "tenant_id": pa.array(tenants, pa.string()),
                **{name: valid.column(name) for name in fields},
                "_batch_id": pa.array([ledgers[tenant]["batch_id"] for tenant in tenants], pa.string()),
                "_source_uri": pa.array([_message_uri(self.source.stream, message) for message in messages]),
                "_source_row": pa.array([message.sequence for message in messages], pa.int64()),
                "_row_sha256": valid.column(ROW_HASH),
                "_ingested_at": pa.array([ingested_at] * len(messages), pa.timestamp("us")),
            }
        )

    def _dead_letter(
        self,
        message: StreamMessage,
        tenant: str,
        received: str,
        errors: list[dict],
        batch_id: str,
        rejected_at: dt.datetime,
    ) -> dict:
        return {
            "batch_id": batch_id,
            "tenant_id": tenant,
            "source": self.source.spec.name,
            "source_uri": _message_uri(self.source.stream, message),
            "source_row": message.sequence,
            "raw_record": received,
            "errors": json.dumps(errors, ensure_ascii=False),
            "contract_name": self.source.spec.contract.contract_name,
            "contract_version": self.source.spec.contract.contract_version,
            "rejected_at": rejected_at,
        }

    def _ledger(
        self, tenant: str, first: int, last: int, ingested_at: dt.datetime, *, loaded: int, rejected: int
    ) -> dict:
        stream = self.source.stream.name
        position = f"{stream}/{self.consumer_name}/{first}-{last}/{tenant}"
        return {
            "batch_id": uuid.uuid4().hex,
            "tenant_id": tenant,
            "source": self.source.spec.name,
            "source_uri": f"nats://{stream}?consumer={self.consumer_name}&sequences={first}-{last}",
            "file_sha256": hashlib.sha256(position.encode()).hexdigest(),
            "file_format": STREAM_FORMAT,
            "file_encoding": "utf-8",
            "contract_name": self.source.spec.contract.contract_name,
            "contract_version": self.source.spec.contract.contract_version,
            "rows_read": loaded + rejected,
            "rows_loaded": loaded,
            "rows_rejected": rejected,
            "status": "succeeded",
            "error": None,
            "ignored_columns": "[]",
            "attributes": json.dumps(
                {
                    "stream": stream,
                    "consumer": self.consumer_name,
                    "first_sequence": first,
                    "last_sequence": last,
                }
            ),
            "started_at": ingested_at,
            "finished_at": ingested_at,
        }

    def _upsert(self, session: Session, rows: pa.Table) -> None:
        table = self.source.spec.raw_table
        session.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_BATCH_TABLE} AS SELECT * FROM {table} LIMIT 0")
        session.execute(f"DELETE FROM {_BATCH_TABLE}")
        session.insert_arrow(_BATCH_TABLE, rows)
        same_key = " AND ".join(
            f"other.{column} = {{row}}.{column}" for column in ("tenant_id", *self.source.key)
        )
        rank = self.source.precedence_sql
        beats = (
            f"(({rank.format(row='other')}) < ({rank.format(row='{row}')}) OR "
            f"(({rank.format(row='other')}) = ({rank.format(row='{row}')}) AND other._source_row > {{row}}._source_row))"
        )
        # the batch's best version of each key, then that version against the stored one
        session.execute(
            f"DELETE FROM {_BATCH_TABLE} WHERE EXISTS (SELECT 1 FROM {_BATCH_TABLE} AS other "
            f"WHERE {same_key.format(row=_BATCH_TABLE)} AND {beats.format(row=_BATCH_TABLE)})"
        )
        stored = self.source.spec.name
        event_time = self.source.event_time
        window = pc.min_max(rows.column(event_time)).as_py()
        within = {"earliest": window["min"], "latest": window["max"]}
        in_window = f"{{row}}.{event_time} BETWEEN %(earliest)s AND %(latest)s"
        session.execute(
            f"DELETE FROM {table} WHERE {in_window.format(row=stored)} AND EXISTS (SELECT 1 FROM "
            f"{_BATCH_TABLE} AS other WHERE {same_key.format(row=stored)} AND {beats.format(row=stored)})",
            within,
        )
        columns = ", ".join(rows.column_names)
        session.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {_BATCH_TABLE} AS other "
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} AS kept WHERE {in_window.format(row='kept')} AND "
            + " AND ".join(f"kept.{column} = other.{column}" for column in ("tenant_id", *self.source.key))
            + ")",
            within,
        )

    def _record_position(
        self, session: Session, last: int, messages: int, last_published_at: dt.datetime
    ) -> None:
        consumed = session.scalar(
            f"SELECT messages FROM {RAW_SCHEMA}.stream_position WHERE consumer = %(consumer)s",
            {"consumer": self.consumer_name},
        )
        values = {
            "consumer": self.consumer_name,
            "stream": self.source.stream.name,
            "last_sequence": last,
            "messages": (consumed or 0) + messages,
            "last_published_at": last_published_at,
            "committed_at": _utcnow(),
        }
        session.execute(
            f"DELETE FROM {RAW_SCHEMA}.stream_position WHERE consumer = %(consumer)s",
            {"consumer": self.consumer_name},
        )
        session.execute(
            f"INSERT INTO {RAW_SCHEMA}.stream_position (consumer, stream, last_sequence, messages, "
            "last_published_at, committed_at) VALUES (%(consumer)s, %(stream)s, %(last_sequence)s, "
            "%(messages)s, %(last_published_at)s, %(committed_at)s)",
            values,
        )


def _message_uri(stream: StreamDeclaration, message: StreamMessage) -> str:
    return f"nats://{stream.name}/{message.subject}"


def _subject_tenant(subject: str) -> str:
    """The tenant a refused subject names, for the dead letter (raw is not readable by tenants)."""
    parts = subject.split(".")
    return parts[1] if len(parts) > 1 and parts[1] else "unknown"


def _sequence(message: StreamMessage) -> int:
    return message.sequence


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
