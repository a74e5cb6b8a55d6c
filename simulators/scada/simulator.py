"""A SCADA simulator: interval readings of a fleet of energy meters published to the NATS JetStream stream
``METER_READINGS`` (``greenlang.ghg.meter_stream``), with the faults a field network produces.

Each meter reports one reading per interval (one minute by default: a SCADA historian's usual export rate)
on ``meters.<tenant>.<site>.<meter>``, as a ``MeterReading`` JSON object, ``Nats-Msg-Id`` set to the
reading's deterministic id. The faults, each a share of the readings drawn from a seeded generator (the same
seed gives the same messages):

- **late**: a reading held back and published several intervals later;
- **out of order**: readings shuffled within a window of a few messages;
- **estimated, then actual**: an ESTIMATED reading first, its ACTUAL value later;
- **duplicates**: the same message published again (same id: the stream drops it within its window);
- **malformed**: not JSON, a required field missing, a subject naming another meter, an unknown tenant.

``publish_messages`` paces the messages at ``rate`` per second (None: as fast as the server acknowledges);
``burst`` multiplies the rate by ten (a gateway flushing its buffer after an outage).

    python -m simulators.scada --url nats://127.0.0.1:4222 --meters 20 --intervals 60 --rate 200 [--burst]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import math
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass

import nats

from greenlang.core.broker import ensure_stream
from greenlang.ghg.meter_stream import METER_STREAM, meter_subject, reading_message_id

BURST_FACTOR = 10


@dataclass(frozen=True)
class ScadaMeter:
    tenant_id: str
    site_id: str
    meter_id: str
    base_kw: float
    channel: str = "import"


@dataclass(frozen=True)
class Faults:
    late: float = 0.02
    late_intervals: int = 5
    out_of_order_window: int = 8
    estimated_first: float = 0.02
    duplicates: float = 0.02
    malformed: float = 0.01

    @classmethod
    def none(cls) -> Faults:
        return cls(late=0, estimated_first=0, duplicates=0, malformed=0, out_of_order_window=1)


@dataclass(frozen=True)
class OutgoingMessage:
    subject: str
    payload: bytes
    message_id: str | None
    kind: str  # reading | estimate | duplicate | malformed


@dataclass
class PublishStats:
    published: int = 0
    stored: int = 0
    dropped_as_duplicate: int = 0
    seconds: float = 0.0
    # when each stored message was acknowledged by the server, by stream sequence (the benchmark's clock)
    acknowledged_at: dict[int, float] | None = None


def demo_fleet(tenants: Sequence[str], meters_per_tenant: int) -> list[ScadaMeter]:
    """``meters_per_tenant`` meters on two sites of each tenant, loads between 50 kW and 2 MW."""
    fleet = []
    for tenant in tenants:
        for index in range(meters_per_tenant):
            site = f"SITE-{index % 2 + 1}"
            base = 50 + (index * 397) % 1950  # spread over the fleet, the same on every run
            fleet.append(
                ScadaMeter(tenant, site, f"{tenant[:4].upper()}-{site}-EM-{index + 1:03d}", float(base))
            )
    return fleet


def _kwh(meter: ScadaMeter, start: dt.datetime, interval: dt.timedelta, noise: float) -> str:
    hour = start.hour + start.minute / 60
    shape = 0.75 + 0.25 * math.sin(2 * math.pi * (hour - 9) / 24)
    kwh = meter.base_kw * interval.total_seconds() / 3600 * shape * (0.95 + 0.1 * noise)
    return f"{kwh:.4f}"


def reading_message(
    meter: ScadaMeter, start: dt.datetime, interval: dt.timedelta, value: str, flag: str
) -> OutgoingMessage:
    interval_start = start.isoformat()  # naive ISO: UTC, as the contract reads a time without a zone
    payload = {
        "meter_id": meter.meter_id,
        "channel": meter.channel,
        "interval_start": interval_start,
        "interval_end": (start + interval).isoformat(),
        "value": value,
        "unit": "kWh",
        "quality_flag": flag,
    }
    return OutgoingMessage(
        subject=meter_subject(meter.tenant_id, meter.site_id, meter.meter_id),
        payload=json.dumps(payload).encode(),
        message_id=reading_message_id(
            meter.tenant_id, meter.meter_id, meter.channel, interval_start, flag, value
        ),
        kind="estimate" if flag == "ESTIMATED" else "reading",
    )


def _malformed(
    meter: ScadaMeter, start: dt.datetime, interval: dt.timedelta, variant: int
) -> OutgoingMessage:
    good = json.loads(reading_message(meter, start, interval, "1.0", "ACTUAL").payload)
    subject = meter_subject(meter.tenant_id, meter.site_id, meter.meter_id)
    if variant == 0:
        payload = b"{not json"
    elif variant == 1:
        payload = json.dumps({key: value for key, value in good.items() if key != "value"}).encode()
    elif variant == 2:
        payload = json.dumps({**good, "meter_id": meter.meter_id + "-X"}).encode()
    else:
        subject = meter_subject("unregistered-tenant", meter.site_id, meter.meter_id)
        payload = json.dumps(good).encode()
    return OutgoingMessage(subject=subject, payload=payload, message_id=None, kind="malformed")


def scada_messages(
    meters: Sequence[ScadaMeter],
    first_interval: dt.datetime,
    intervals: int,
    *,
    interval: dt.timedelta = dt.timedelta(minutes=1),
    faults: Faults = Faults(),
    seed: int = 2026,
) -> list[OutgoingMessage]:
    """The messages of ``intervals`` intervals of every meter from ``first_interval`` (naive UTC), in the
    order a field network would deliver them (faults included)."""
    generator = random.Random(seed)
    messages: list[OutgoingMessage] = []
    held: list[tuple[int, OutgoingMessage]] = []  # (publish at interval index, message)
    for index in range(intervals):
        start = first_interval + index * interval
        slot = []
        for meter in meters:
            value = _kwh(meter, start, interval, generator.random())
            actual = reading_message(meter, start, interval, value, "ACTUAL")
            if generator.random() < faults.estimated_first:
                estimate = _kwh(meter, start, interval, generator.random())
                slot.append(reading_message(meter, start, interval, estimate, "ESTIMATED"))
                held.append((index + faults.late_intervals, actual))
            elif generator.random() < faults.late:
                held.append((index + faults.late_intervals, actual))
            else:
                slot.append(actual)
            if generator.random() < faults.duplicates:
                slot.append(OutgoingMessage(actual.subject, actual.payload, actual.message_id, "duplicate"))
            if generator.random() < faults.malformed:
                slot.append(_malformed(meter, start, interval, generator.randrange(4)))
        slot.extend(message for due, message in held if due == index)
        held = [(due, message) for due, message in held if due != index]
        messages.extend(_shuffled_within(slot, faults.out_of_order_window, generator))
    messages.extend(message for _due, message in held)  # the last late ones, after the run
    return messages


def _shuffled_within(
    messages: list[OutgoingMessage], window: int, generator: random.Random
) -> list[OutgoingMessage]:
    result = []
    for start in range(0, len(messages), max(window, 1)):
        chunk = messages[start : start + window]
        generator.shuffle(chunk)
        result.extend(chunk)
    return result


async def _publish(
    url: str, messages: Sequence[OutgoingMessage], rate: float | None, keep_acknowledgements: bool
) -> PublishStats:
    connection = await nats.connect(url, connect_timeout=5)
    stats = PublishStats(acknowledged_at={} if keep_acknowledgements else None)
    try:
        js = connection.jetstream(publish_async_max_pending=4000)
        await ensure_stream(js, METER_STREAM)
        started = time.monotonic()
        pending = []
        for number, message in enumerate(messages):
            if rate is not None:
                due = started + number / rate
                delay = due - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            headers = {"Nats-Msg-Id": message.message_id} if message.message_id else None
            pending.append(await js.publish_async(message.subject, message.payload, headers=headers))
            stats.published += 1
            if len(pending) >= 2000:
                _count(stats, await asyncio.gather(*pending))
                pending = []
        _count(stats, await asyncio.gather(*pending))
        stats.seconds = time.monotonic() - started
    finally:
        await connection.close()
    return stats


def _count(stats: PublishStats, acknowledgements: list) -> None:
    now = time.monotonic()
    for acknowledgement in acknowledgements:
        if acknowledgement.duplicate:
            stats.dropped_as_duplicate += 1
        else:
            stats.stored += 1
            if stats.acknowledged_at is not None:
                stats.acknowledged_at[acknowledgement.seq] = now


def publish_messages(
    url: str,
    messages: Sequence[OutgoingMessage],
    *,
    rate: float | None = None,
    burst: bool = False,
    keep_acknowledgements: bool = False,
) -> PublishStats:
    """Publish ``messages`` in order at ``rate`` per second (x10 in a burst; None: as fast as acknowledged)."""
    pace = rate * BURST_FACTOR if (rate is not None and burst) else rate
    return asyncio.run(_publish(url, messages, pace, keep_acknowledgements))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulators.scada", description=__doc__)
    parser.add_argument("--url", required=True, help="the NATS server (never a default: name your own)")
    parser.add_argument("--tenants", default="acme-steel,nordic-cement")
    parser.add_argument("--meters", type=int, default=10, help="meters per tenant")
    parser.add_argument("--intervals", type=int, default=60, help="one-minute intervals per meter")
    parser.add_argument(
        "--rate", type=float, default=None, help="messages per second (default: as fast as acked)"
    )
    parser.add_argument("--burst", action="store_true", help=f"{BURST_FACTOR}x the rate")
    parser.add_argument("--seed", type=int, default=2026)
    arguments = parser.parse_args(argv)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, second=0, microsecond=0)
    fleet = demo_fleet([name.strip() for name in arguments.tenants.split(",")], arguments.meters)
    messages = scada_messages(
        fleet, now - dt.timedelta(minutes=arguments.intervals), arguments.intervals, seed=arguments.seed
    )
    stats = publish_messages(arguments.url, messages, rate=arguments.rate, burst=arguments.burst)
    print(
        f"published {stats.published} messages in {stats.seconds:.1f} s: {stats.stored} stored, "
        f"{stats.dropped_as_duplicate} dropped as duplicates by the stream"
    )
    return 0
