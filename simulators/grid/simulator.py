"""A local HTTP simulator of the GB Carbon Intensity API (api.carbonintensity.org.uk), national series.

    GET /intensity/{from}/{to}
    → {"data": [{"from": "2026-03-29T00:30Z", "to": "2026-03-29T01:00Z",
                 "intensity": {"forecast": 186, "actual": 190, "index": "moderate"}}, ...]}

Half-hour periods starting at ``from`` rounded down to the half hour and before ``to``; minute-precision
UTC timestamps as the API writes them; at most ``max_days`` (14) per request, as the API allows. The
figures are a deterministic function of the seed and the period (a daily shape plus noise). ``actual``
is null until the period has ended by the simulator's clock (``now``, settable), as the real API leaves
it null until measured; moving ``now`` on "measures" the periods it passes. ``index`` follows the bands
of ``INDEX_BANDS`` (illustrative, gCO2/kWh) applied to the actual, else the forecast.

Faults on demand, like the ERP simulator's: ``sim.inject(kind, count=1, **params)`` makes the next
``count`` requests fail with ``rate_limit`` (HTTP 429 with ``Retry-After``: param ``retry_after``,
default 1), ``server_error`` (param ``status``, default 503), ``slow`` (the response is held back
``delay`` seconds, default 2) or ``html`` (HTTP 200 with an HTML error page). ``sim.requests`` lists the
paths served, in order.

    python -m simulators.grid --port 8088   # serve until interrupted
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import math
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

HALF_HOUR = dt.timedelta(minutes=30)
INDEX_BANDS = (
    (60, "very low"),
    (140, "low"),
    (220, "moderate"),
    (300, "high"),
)  # upper bounds; else "very high"
FAULT_KINDS = {
    "rate_limit": {"retry_after": 1},
    "server_error": {"status": 503},
    "slow": {"delay": 2.0},
    "html": {},
}


def api_time(moment: dt.datetime) -> str:
    """``2026-03-29T00:30Z``: the API's minute-precision UTC form."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%MZ")


def parse_api_time(text: str) -> dt.datetime:
    """An ISO 8601 time as the API accepts it (``2026-03-29T00:30Z``); naive is UTC."""
    moment = dt.datetime.fromisoformat(text.strip())
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def index_of(intensity: int) -> str:
    return next((name for bound, name in INDEX_BANDS if intensity < bound), "very high")


@dataclass
class _Fault:
    kind: str
    count: int
    params: dict[str, Any] = field(default_factory=dict)


class CarbonIntensitySimulator:
    def __init__(
        self,
        *,
        now: dt.datetime,
        seed: int = 2026,
        host: str = "127.0.0.1",
        port: int = 0,
        max_days: int = 14,
    ) -> None:
        self.now = now
        self.seed, self.host, self.port, self.max_days = seed, host, port, max_days
        self.requests: list[str] = []
        self._faults: deque[_Fault] = deque()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle --------------------------------------------------------------------------------------

    def start(self) -> CarbonIntensitySimulator:
        simulator = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                simulator._serve(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="grid-simulator",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> CarbonIntensitySimulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def now(self) -> dt.datetime:
        return self._now

    @now.setter
    def now(self, value: dt.datetime) -> None:
        self._now = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)

    def inject(self, kind: str, count: int = 1, **params: Any) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; one of {', '.join(FAULT_KINDS)}")
        with self._lock:
            self._faults.append(_Fault(kind, count, {**FAULT_KINDS[kind], **params}))

    # --- the data -----------------------------------------------------------------------------------------

    def period(self, start: dt.datetime) -> dict[str, Any]:
        """The API's record of the half hour starting at ``start`` (UTC, on the half hour)."""
        digest = hashlib.sha256(f"{self.seed}/{api_time(start)}".encode()).digest()
        minute_of_day = start.hour * 60 + start.minute
        shape = 170 + 70 * math.sin(2 * math.pi * (minute_of_day / 1440 - 0.35))
        forecast = max(5, round(shape + (digest[0] - 128) / 4))
        end = start + HALF_HOUR
        actual = max(5, forecast + (digest[1] - 128) // 8) if end <= self.now else None
        return {
            "from": api_time(start),
            "to": api_time(end),
            "intensity": {
                "forecast": forecast,
                "actual": actual,
                "index": index_of(actual if actual is not None else forecast),
            },
        }

    def periods(self, start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
        moment = start.replace(minute=0 if start.minute < 30 else 30, second=0, microsecond=0)
        found = []
        while moment < end:
            found.append(self.period(moment))
            moment += HALF_HOUR
        return found

    # --- serving --------------------------------------------------------------------------------------------

    def _next_fault(self) -> _Fault | None:
        with self._lock:
            if not self._faults:
                return None
            fault = self._faults[0]
            fault.count -= 1
            if fault.count <= 0:
                self._faults.popleft()
            return fault

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        path = urlsplit(handler.path).path
        with self._lock:
            self.requests.append(path)
        fault = self._next_fault()
        if fault is not None and fault.kind == "slow":
            time.sleep(float(fault.params["delay"]))
        elif fault is not None and fault.kind == "rate_limit":
            _reply(
                handler,
                429,
                _error(429, "Too Many Requests"),
                {"Retry-After": str(fault.params["retry_after"])},
            )
            return
        elif fault is not None and fault.kind == "server_error":
            _reply(handler, int(fault.params["status"]), _error(int(fault.params["status"]), "Server Error"))
            return
        elif fault is not None and fault.kind == "html":
            _reply(handler, 200, "<html><body>Gateway error</body></html>", content_type="text/html")
            return
        parts = [unquote(part) for part in path.strip("/").split("/")]
        if len(parts) != 3 or parts[0] != "intensity":
            _reply(handler, 404, _error(404, f"no route {path}"))
            return
        try:
            start, end = parse_api_time(parts[1]), parse_api_time(parts[2])
        except ValueError:
            _reply(handler, 400, _error(400, "Please enter valid ISO8601 dates (YYYY-MM-DDThh:mmZ)"))
            return
        if end <= start or end - start > dt.timedelta(days=self.max_days):
            _reply(handler, 400, _error(400, f"the range must be positive and at most {self.max_days} days"))
            return
        _reply(handler, 200, json.dumps({"data": self.periods(start, end)}))


def _error(status: int, message: str) -> str:
    return json.dumps({"error": {"code": f"{status} {message.split(':')[0]}", "message": message}})


def _reply(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: str,
    headers: dict[str, str] | None = None,
    content_type: str = "application/json",
) -> None:
    payload = body.encode("utf-8")
    try:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(payload)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the client gave up (a slow response past its timeout)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulators.grid", description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8088)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    simulator = CarbonIntensitySimulator(now=dt.datetime.now(dt.UTC), seed=args.seed, port=args.port)
    simulator.start()
    print(f"GB Carbon Intensity API simulator on {simulator.url} (Ctrl-C to stop)", flush=True)
    try:
        while True:
            time.sleep(60)
            simulator.now = dt.datetime.now(dt.UTC)
    except KeyboardInterrupt:
        simulator.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
