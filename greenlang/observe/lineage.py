"""Lineage of every load: a sensor that reads the ledger ``raw.load_batch`` and sends, for each batch it has
not sent yet, the batch's OpenLineage events (``greenlang.core.lineage.load_events``). The ledger is the
one record every loader writes (landing files, ERP pages, API readings), so no load path is left out, and a
batch's events derive from its row alone (its runId from its batch id): sending one twice repeats the
same run.

The cursor holds the batches sent within ``OVERLAP`` of the newest one sent, with their ``finished_at``:
the ledger is read again from ``OVERLAP`` before that newest (a load that committed late, with an earlier
``finished_at``, is still found), less those.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import dagster as dg

from greenlang.core.lineage import LineageResource, WarehouseNaming, load_events
from greenlang.core.warehouse import RAW_SCHEMA, Session, WarehouseResource, WarehouseUnavailable

# Longer than any load's transaction: its ledger row's finished_at is taken just before it commits.
OVERLAP = dt.timedelta(hours=1)
# Batches sent per tick at most (the next tick goes on from there).
BATCHES_PER_TICK = 500


def read_cursor(raw: str | None) -> dict[str, dt.datetime]:
    """{batch id: finished_at} of the batches sent within ``OVERLAP`` of the newest."""
    return {
        batch_id: dt.datetime.fromisoformat(moment) for batch_id, moment in json.loads(raw or "{}").items()
    }


def next_cursor(sent: dict[str, dt.datetime], batches: list[dict[str, Any]]) -> str:
    sent = {**sent, **{batch["batch_id"]: batch["finished_at"] for batch in batches}}
    horizon = max(sent.values()) - OVERLAP
    return json.dumps(
        {batch_id: moment.isoformat() for batch_id, moment in sorted(sent.items()) if moment >= horizon}
    )


def unsent_batches(session: Session, sent: dict[str, dt.datetime]) -> list[dict[str, Any]]:
    """The ledger rows not in ``sent`` finished since ``OVERLAP`` before the newest sent, oldest first."""
    where, params = "", {}
    if sent:
        where, params = "WHERE finished_at >= %(since)s", {"since": max(sent.values()) - OVERLAP}
    rows = session.fetch_dicts(
        f"SELECT * FROM {RAW_SCHEMA}.load_batch {where} ORDER BY finished_at, batch_id", params
    )
    return [row for row in rows if row["batch_id"] not in sent][:BATCHES_PER_TICK]


@dg.sensor(
    name="load_lineage",
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=60,
    description="Sends the OpenLineage events of each load recorded in raw.load_batch (delivery → raw table "
    "and dead letters, with the file's sha256 and contract version) to the configured lineage transport",
)
def load_lineage(
    context: dg.SensorEvaluationContext, warehouse: WarehouseResource, lineage: LineageResource
) -> dg.SkipReason:
    sent = read_cursor(context.cursor)
    store = warehouse.get_warehouse()
    try:
        with store.session(read_only=True) as session:
            if (RAW_SCHEMA, "load_batch") not in {(s, n) for s, n, _ in session.relations([RAW_SCHEMA])}:
                return dg.SkipReason("no load recorded yet")
            batches = unsent_batches(session, sent)
            naming = WarehouseNaming.of(store.settings, session.scalar("SELECT current_database()"))
    except WarehouseUnavailable as error:
        return dg.SkipReason(f"the warehouse cannot be read now: {error}")
    if not batches:
        return dg.SkipReason("every recorded load was sent")
    emitted = lineage.emit(
        event for batch in batches for event in load_events(batch, naming, lineage.namespace)
    )
    context.update_cursor(next_cursor(sent, batches))
    return dg.SkipReason(f"sent {emitted} lineage events of {len(batches)} loads")
