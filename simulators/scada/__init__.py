"""A SCADA simulator publishing meter readings to NATS JetStream, for tests, the demo and the benchmark
(``simulators.scada.simulator``). The writer it feeds is ``greenlang.ghg.meter_stream``."""

from simulators.scada.simulator import (
    Faults,
    OutgoingMessage,
    PublishStats,
    ScadaMeter,
    demo_fleet,
    publish_messages,
    reading_message,
    scada_messages,
)

__all__ = [
    "Faults",
    "OutgoingMessage",
    "PublishStats",
    "ScadaMeter",
    "demo_fleet",
    "publish_messages",
    "reading_message",
    "scada_messages",
]
