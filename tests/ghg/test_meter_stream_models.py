"""The dbt models of the meter stream on DuckDB and PostgreSQL, over readings streamed through a real NATS
server: the 5-minute windows (fct_meter_readings_5min, incremental on event time: a late reading recomputes
its window only) and the reconciliation of streamed with filed meter-days (int_ghg__meter_stream_reconciliation).

Slow (two dbt invocations per engine, models and seed only); the fast counterparts: the reconciliation's dbt
unit test (meter_stream_reconciliation_statuses, run with the model's tests by the end-to-end builds) and the
writer's tests beside this."""

from __future__ import annotations

import csv
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from demo.nats_server import NatsServer
from greenlang.core.loader import load_file
from greenlang.core.warehouse import Warehouse
from greenlang.ghg.meter_stream import write_meter_stream
from greenlang.ghg.sources import METER_READINGS
from simulators.scada import Faults, OutgoingMessage, ScadaMeter, publish_messages, scada_messages
from simulators.scada.simulator import reading_message
from tests.helpers import dbt
from tests.helpers.streams import DAY, TENANTS

MINUTE = dt.timedelta(minutes=1)
MATCHED = ScadaMeter("acme", "SITE-1", "M-MATCHED", 120.0)
DIFFERENT = ScadaMeter("acme", "SITE-1", "M-DIFFERENT", 80.0)
MODELS = ("fct_meter_readings_5min", "int_ghg__meter_stream_reconciliation")


def _value(message: OutgoingMessage) -> Decimal:
    return Decimal(json.loads(message.payload)["value"])


def _start(message: OutgoingMessage) -> dt.datetime:
    return dt.datetime.fromisoformat(json.loads(message.payload)["interval_start"])


def _file(path: Path, meter: ScadaMeter, total_kwh: Decimal) -> Path:
    """A settlement file of one half hour from ``DAY`` 00:00 for ``meter``."""
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["meter_id", "channel", "interval_start", "interval_end", "value", "unit", "quality_flag"]
        )
        writer.writerow(
            [
                meter.meter_id,
                "import",
                DAY.isoformat(),
                (DAY + 30 * MINUTE).isoformat(),
                total_kwh,
                "kWh",
                "ACTUAL",
            ]
        )
    return path


def _windows(warehouse: Warehouse) -> dict[tuple, tuple]:
    with warehouse.session() as session:
        rows = session.fetchall(
            "SELECT meter_id, window_start_utc, energy_kwh, reading_count, last_ingested_at "
            "FROM marts.fct_meter_readings_5min"
        )
    return {
        (meter, start): (Decimal(energy), count, ingested) for meter, start, energy, count, ingested in rows
    }


@pytest.mark.slow
def test_five_minute_windows_and_the_reconciliation_with_the_files(
    warehouse: Warehouse, nats_server: NatsServer, tmp_path: Path
) -> None:
    messages = scada_messages([MATCHED, DIFFERENT], DAY, 30, faults=Faults.none())  # the first half hour
    publish_messages(nats_server.url, messages)
    write_meter_stream(warehouse, nats_server.url, TENANTS, idle_seconds=0.3)
    streamed = {
        meter.meter_id: sum(_value(message) for message in messages if meter.meter_id in message.subject)
        for meter in (MATCHED, DIFFERENT)
    }
    load_file(
        warehouse, METER_READINGS, _file(tmp_path / "matched.csv", MATCHED, streamed["M-MATCHED"]), "acme"
    )
    load_file(
        warehouse,
        METER_READINGS,
        _file(tmp_path / "different.csv", DIFFERENT, streamed["M-DIFFERENT"] * 2),
        "acme",
    )

    dbt.stage(
        warehouse.settings, *MODELS
    )  # the models and the seed they read; their tests run in the e2e builds

    windows = _windows(warehouse)
    assert len(windows) == 2 * 6  # two meters, six 5-minute windows in the half hour
    for (meter, start), (energy, count, _ingested) in windows.items():
        in_window = [
            _value(message)
            for message in messages
            if meter in message.subject and start <= _start(message) < start + 5 * MINUTE
        ]
        assert (energy, count) == (sum(in_window), 5)
    with warehouse.session() as session:
        statuses = dict(
            session.fetchall("SELECT meter_id, status FROM intermediate.int_ghg__meter_stream_reconciliation")
        )
    assert statuses == {
        "M-MATCHED": "matched",
        "M-DIFFERENT": "mismatch",
    }  # the mismatch fails its WARN check

    # a late reading of the first window and a new one: those two windows are recomputed, no other
    late = reading_message(MATCHED, DAY + 2 * MINUTE, MINUTE, "999.0000", "ACTUAL")  # corrects 00:02
    new = reading_message(MATCHED, DAY + 30 * MINUTE, MINUTE, "1.5000", "ACTUAL")
    publish_messages(nats_server.url, [late, new])
    write_meter_stream(warehouse, nats_server.url, TENANTS, idle_seconds=0.3)
    dbt.run_models(warehouse.settings, "fct_meter_readings_5min")

    after = _windows(warehouse)
    changed = {key for key in after if after[key] != windows.get(key)}
    assert changed == {("M-MATCHED", DAY), ("M-MATCHED", DAY + 30 * MINUTE)}
    (corrected,) = [m for m in messages if "M-MATCHED" in m.subject and _start(m) == DAY + 2 * MINUTE]
    previous = windows[("M-MATCHED", DAY)][0]
    assert after[("M-MATCHED", DAY)][:2] == (previous - _value(corrected) + Decimal("999"), 5)
    assert after[("M-MATCHED", DAY + 30 * MINUTE)][:2] == (Decimal("1.5"), 1)
