"""The simulator's HTTP server: SAP S/4HANA OData V2, Oracle Fusion REST and Workday RaaS on 127.0.0.1.

Standard library only (``http.server.ThreadingHTTPServer``, HTTP/1.1 keep-alive). One lock guards the
dataset, the faults and the counters; a request's response is computed under it (the dataset is small),
a ``slow`` fault sleeps outside it.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt
import math
import random
import re
import secrets
import socket
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from simulators.erp._jsontext import dumps
from simulators.erp.dataset import (
    Dataset,
    DatasetConfig,
    OraclePurchaseOrder,
    SapPurchaseOrder,
)
from simulators.erp.faults import COMPUTED, Fault
from simulators.erp.query import (
    Node,
    QueryError,
    evaluate,
    parse_odata_filter,
    parse_oracle_q,
    parse_orderby,
    parse_timestamp_us,
    window_only,
)

SAP_PO_SERVICE = "/sap/opu/odata/sap/API_PURCHASEORDER_PROCESS_SRV"
SAP_STOCK_SERVICE = "/sap/opu/odata/sap/API_MATERIAL_STOCK_SRV"
ORACLE_ROOT = "/fscmRestApi/resources/11.13.18.05"
WORKDAY_ROOT = "/ccx/service/customreport2"
TOKEN_PATH = "/oauth/token"
LOOPBACK = ("127.0.0.1", "localhost")

HTML_ERROR_PAGE = (
    "<!DOCTYPE html><html><head><title>Service Unavailable</title></head><body>"
    "<h1>The service is temporarily unavailable</h1><p>Scheduled maintenance is in progress. "
    "Please try again later.</p><hr><address>Web Dispatcher</address></body></html>"
)


@dataclass(frozen=True)
class Credentials:
    sap_client_id: str
    sap_client_secret: str
    oracle_username: str
    oracle_password: str
    workday_username: str
    workday_password: str
    workday_tenant: str = "greenlang_impl1"
    workday_owner: str = "ISU_GreenLang"

    @classmethod
    def for_seed(cls, seed: int) -> Credentials:
        rng = random.Random(f"credentials-{seed}")

        def secret(prefix: str) -> str:
            return prefix + "".join(
                rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789") for _ in range(24)
            )

        return cls(
            sap_client_id="sb-greenlang-erp!t4711",
            sap_client_secret=secret("sap-"),
            oracle_username="greenlang.integration",
            oracle_password=secret("orcl-"),
            workday_username="ISU_GreenLang@greenlang_impl1",
            workday_password=secret("wd-"),
        )


@dataclass
class Stats:
    """What the simulator served. ``records`` counts entities in envelopes (SAP and Oracle orders are
    counted as orders, not items or lines)."""

    requests: Counter[str] = field(default_factory=Counter)  # per endpoint
    statuses: Counter[int] = field(default_factory=Counter)
    injected: Counter[str] = field(default_factory=Counter)  # per fault kind
    records: Counter[str] = field(default_factory=Counter)  # per endpoint
    tokens_issued: int = 0
    unauthorized: int = 0  # 401 responses, injected or not
    throttled: int = 0  # 429 from the server's own rate limit (not injected)

    @property
    def total_requests(self) -> int:
        return sum(self.requests.values())

    def copy(self) -> Stats:
        return Stats(
            Counter(self.requests),
            Counter(self.statuses),
            Counter(self.injected),
            Counter(self.records),
            self.tokens_issued,
            self.unauthorized,
            self.throttled,
        )


@dataclass(frozen=True)
class Served:
    """One request as the server saw it (monotonic clock of this process)."""

    number: int
    received_at: float
    sent_at: float
    method: str
    target: str
    endpoint: str
    status: int  # 0 for a reset connection
    fault: str | None


@dataclass
class Reply:
    status: int
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    reset: bool = False
    records: int = 0


@dataclass(frozen=True)
class Endpoint:
    name: str
    family: str  # sap | oracle | workday | token
    auth: str  # bearer | basic | client
    paged: bool
    change_field: str | None
    handler: Callable[[_Request, Fault | None], tuple[Reply, bool]]


@dataclass
class _Request:
    method: str
    target: str
    path: str
    query: dict[str, str]
    headers: Any
    body: bytes
    base_url: str
    endpoint: Endpoint | None = None
    bearer: str | None = None


def _json(status: int, document: Any, records: int = 0, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, dumps(document).encode(), headers=headers or {}, records=records)


def _odata_error(status: int, code: str, message: str) -> Reply:
    return _json(status, {"error": {"code": code, "message": {"lang": "en", "value": message}}})


def _oracle_error(status: int, detail: str) -> Reply:
    title = HTTPStatus(status).phrase
    return _json(status, {"title": title, "status": str(status), "o:errorDetails": [{"detail": detail}]})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], simulator: ErpSimulator):
        self.simulator = simulator
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ErpSimulator/1.0"
    timeout = 30  # an idle keep-alive connection is closed after this many seconds
    server: _Server

    def setup(self) -> None:
        super().setup()
        # headers and body go out in separate writes: without this, Nagle's algorithm and the client's
        # delayed ACK add ~40 ms to every small response
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self.server.simulator._handle(self, "GET")

    def do_POST(self) -> None:
        self.server.simulator._handle(self, "POST")

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.simulator.verbose:
            super().log_message(format, *args)


class ErpSimulator:
    """SAP S/4HANA, Oracle Fusion and Workday on one ephemeral port of 127.0.0.1.

    ``with ErpSimulator(seed=7, purchase_orders=200) as sim:`` — ``sim.base_url`` is the root of all
    three APIs, ``sim.credentials`` their credentials, ``sim.dataset`` the ground truth,
    ``sim.inject(...)`` queues a fault, ``sim.stats`` / ``sim.requests`` tell what was served.
    """

    def __init__(
        self,
        seed: int = 42,
        *,
        purchase_orders: int = 3000,
        suppliers: int = 40,
        oracle_purchase_orders: int = 1000,
        oracle_invoices: int = 1500,
        expense_items: int = 2000,
        workers: int = 300,
        year: int = 2026,
        host: str = "127.0.0.1",
        port: int = 0,
        token_lifetime: float = 300,
        sap_default_page_size: int = 1000,
        sap_max_page_size: int = 5000,
        oracle_default_limit: int = 25,
        oracle_max_limit: int = 500,
        rate_limit: tuple[int, float] | None = None,
        credentials: Credentials | None = None,
        verbose: bool = False,
    ):
        if host not in LOOPBACK:
            raise ValueError(f"the simulator listens on 127.0.0.1 only, not {host!r}")
        self.config = DatasetConfig(
            seed=seed,
            year=year,
            purchase_orders=purchase_orders,
            suppliers=suppliers,
            oracle_purchase_orders=oracle_purchase_orders,
            oracle_invoices=oracle_invoices,
            expense_items=expense_items,
            workers=workers,
        )
        self.dataset = Dataset.generate(self.config)
        self.credentials = credentials or Credentials.for_seed(seed)
        self.host, self.port = "127.0.0.1", port
        self.token_lifetime = token_lifetime
        self.sap_default_page_size = sap_default_page_size
        self.sap_max_page_size = sap_max_page_size
        self.oracle_default_limit = oracle_default_limit
        self.oracle_max_limit = oracle_max_limit
        self.rate_limit = rate_limit
        self.verbose = verbose
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._faults: list[Fault] = []
        self._stats = Stats()
        self._served: list[Served] = []
        self._tokens: dict[str, float] = {}  # token → expiry (monotonic)
        self._issued: list[str] = []  # every token ever issued
        self._last_page: dict[str, list[Any]] = {}  # endpoint → entities of the last page served
        self._shifts = 0
        self._recent: dict[str, deque[float]] = {}  # family → request times, for the server's rate limit
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._endpoints = self._make_endpoints()

    # --- lifecycle --------------------------------------------------------------------------------------

    def start(self) -> ErpSimulator:
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = _Server((self.host, self.port), self)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="erp-simulator",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> ErpSimulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def serve_forever(self) -> None:
        """Serve until interrupted (the command line)."""
        self.start()
        try:
            while not self._stopping.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the simulator is not running (use start() or a with block)")
        return f"http://{self.host}:{self.port}"

    @property
    def token_url(self) -> str:
        return self.base_url + TOKEN_PATH

    # --- faults and observations ------------------------------------------------------------------------

    def inject(
        self, kind: str, count: int = 1, *, path_contains: str | None = None, after: int = 0, **params: Any
    ) -> Fault:
        """Queue a fault (see ``simulators.erp.faults.FAULT_KINDS``); returns it (``fault.applied``)."""
        fault = Fault(kind, count, path_contains, after, params)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    @property
    def stats(self) -> Stats:
        with self._lock:
            return self._stats.copy()

    @property
    def requests(self) -> list[Served]:
        with self._lock:
            return list(self._served)

    def reset_stats(self) -> None:
        with self._lock:
            self._stats = Stats()
            self._served.clear()

    def revoke_tokens(self) -> None:
        """Invalidate every issued token (the next API call answers 401)."""
        with self._lock:
            self._tokens.clear()

    @property
    def issued_tokens(self) -> list[str]:
        """Every token issued, valid or not (tests check that none leaks into messages or logs)."""
        with self._lock:
            return list(self._issued)

    # --- request handling -------------------------------------------------------------------------------

    def _make_endpoints(self) -> dict[str, Endpoint]:
        endpoints = [
            Endpoint("sap_token", "token", "client", False, None, self._token),
            Endpoint(
                "sap_purchase_orders", "sap", "bearer", True, "LastChangeDateTime", self._sap_purchase_orders
            ),
            Endpoint("sap_material_stock", "sap", "bearer", True, None, self._sap_material_stock),
            Endpoint(
                "oracle_purchase_orders",
                "oracle",
                "basic",
                True,
                "LastUpdateDate",
                self._oracle_purchase_orders,
            ),
            Endpoint("oracle_invoices", "oracle", "basic", True, "LastUpdateDate", self._oracle_invoices),
            Endpoint("workday_headcount", "workday", "basic", False, None, self._workday_headcount),
            Endpoint("workday_expense_items", "workday", "basic", False, None, self._workday_expense_items),
        ]
        return {endpoint.name: endpoint for endpoint in endpoints}

    def _route(self, method: str, path: str) -> Endpoint | None:
        path = path.rstrip("/")
        if method == "POST":
            return self._endpoints["sap_token"] if path == TOKEN_PATH else None
        routes = {
            f"{SAP_PO_SERVICE}/A_PurchaseOrder": "sap_purchase_orders",
            f"{SAP_STOCK_SERVICE}/A_MatlStkInAcctMod": "sap_material_stock",
            f"{ORACLE_ROOT}/purchaseOrders": "oracle_purchase_orders",
            f"{ORACLE_ROOT}/invoices": "oracle_invoices",
        }
        if path in routes:
            return self._endpoints[routes[path]]
        prefix = f"{WORKDAY_ROOT}/{self.credentials.workday_tenant}/{self.credentials.workday_owner}/"
        if path.startswith(prefix):
            report = path[len(prefix) :]
            if report == "Headcount_by_Location":
                return self._endpoints["workday_headcount"]
            if report == "Expense_Items":
                return self._endpoints["workday_expense_items"]
        return None

    def _handle(self, handler: _Handler, method: str) -> None:
        received = time.monotonic()
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        split = urlsplit(handler.path)
        request = _Request(
            method=method,
            target=handler.path,
            path=unquote(split.path),
            query=dict(parse_qsl(split.query, keep_blank_values=True)),
            headers=handler.headers,
            body=body,
            base_url=f"http://{handler.headers.get('Host') or f'{self.host}:{self.port}'}",
        )
        request.endpoint = self._route(method, request.path)
        fault: Fault | None = None
        applied: str | None = None
        with self._lock:
            self._stats.requests[request.endpoint.name if request.endpoint else "unknown"] += 1
            if request.endpoint is None:
                reply: Reply | None = Reply(404, b"Not Found", "text/plain; charset=utf-8")
            else:
                fault = self._pick_fault(request)
                reply, applied = self._gateway(request, fault)
        if applied == "slow" and fault is not None:
            self._stopping.wait(float(fault.params["delay"]))
        if reply is None:
            computed = fault if fault is not None and fault.kind in COMPUTED else None
            with self._lock:
                reply, used = self._serve(request, computed)
                if used and computed is not None:
                    self._consume(computed)
                    applied = computed.kind
        self._send(handler, request, reply, received, applied)

    def _pick_fault(self, request: _Request) -> Fault | None:
        is_token = request.endpoint is not None and request.endpoint.name == "sap_token"
        chosen = None
        for fault in self._faults:
            if fault.remaining <= 0 or not fault.matches(request.target, is_token):
                continue
            if fault.seen < fault.after:
                fault.seen += 1
                continue
            if chosen is None:
                chosen = fault
        return chosen

    def _consume(self, fault: Fault) -> None:
        fault.applied += 1
        self._stats.injected[fault.kind] += 1

    def _gateway(self, request: _Request, fault: Fault | None) -> tuple[Reply | None, str | None]:
        """Faults and checks before the API computes anything: (a reply, or None to let the request
        through; the fault applied, if any)."""
        endpoint = request.endpoint
        assert endpoint is not None
        applied = None
        if fault is not None and fault.kind not in COMPUTED:
            kind = fault.kind
            token = self._bearer(request)
            if kind == "token_expired" and (endpoint.auth != "bearer" or token is None):
                pass  # not applicable: waits for a request with a bearer token
            else:
                status = fault.status() if kind == "server_error" else 0
                self._consume(fault)
                applied = kind
                if kind == "token_expired":
                    self._tokens.pop(token or "", None)
                    return self._unauthorized_bearer("The access token is invalid or has expired"), kind
                if kind == "rate_limit":
                    headers = {"Retry-After": _seconds_text(fault.params["retry_after"])}
                    document = {"error": "too_many_requests", "message": "Rate limit exceeded"}
                    return _json(429, document, headers=headers), kind
                if kind == "server_error":
                    page = f"<html><body><h1>{status} {HTTPStatus(status).phrase}</h1></body></html>"
                    return Reply(status, page.encode(), "text/html; charset=utf-8"), kind
                if kind == "reset":
                    return Reply(0, reset=True), kind
                if kind == "html":
                    return Reply(200, HTML_ERROR_PAGE.encode(), "text/html; charset=utf-8"), kind
        if endpoint.family != "token" and self.rate_limit is not None:
            wait = self._throttle(endpoint.family)
            if wait is not None:
                self._stats.throttled += 1
                headers = {"Retry-After": str(max(1, math.ceil(wait)))}
                document = {"error": "too_many_requests", "message": "Rate limit exceeded"}
                return _json(429, document, headers=headers), applied
        return None, applied

    def _throttle(self, family: str) -> float | None:
        assert self.rate_limit is not None
        limit, period = self.rate_limit
        now = time.monotonic()
        recent = self._recent.setdefault(family, deque())
        while recent and recent[0] <= now - period:
            recent.popleft()
        if len(recent) >= limit:
            return recent[0] + period - now
        recent.append(now)
        return None

    def _serve(self, request: _Request, fault: Fault | None) -> tuple[Reply, bool]:
        endpoint = request.endpoint
        assert endpoint is not None
        denied = self._authenticate(request)
        if denied is not None:
            return denied, False
        try:
            reply, applied = endpoint.handler(request, fault)
        except QueryError as error:
            if endpoint.family == "sap":
                return _odata_error(400, "/IWBEP/CM_MGW_RT/022", str(error)), False
            if endpoint.family == "oracle":
                return _oracle_error(400, str(error)), False
            return _json(400, {"error": str(error)}), False
        if fault is not None and fault.kind == "truncated" and reply.status == 200:
            keep = max(1, int(len(reply.body) * float(fault.params["fraction"])))
            reply.body = reply.body[: min(keep, len(reply.body) - 1)]
            applied = True
        return reply, applied

    def _send(
        self, handler: _Handler, request: _Request, reply: Reply, received: float, fault: str | None
    ) -> None:
        endpoint = request.endpoint.name if request.endpoint else "unknown"
        status = 0 if reply.reset else reply.status
        # counted before the response goes out: a client that has its answer sees it in the stats
        with self._lock:
            self._stats.statuses[status] += 1
            if status == 401:
                self._stats.unauthorized += 1
            if status == 200 and fault != "truncated":
                self._stats.records[endpoint] += reply.records
            number = len(self._served) + 1
            self._served.append(
                Served(
                    number,
                    received,
                    time.monotonic(),
                    request.method,
                    request.target,
                    endpoint,
                    status,
                    fault,
                )
            )
        try:
            if reply.reset:
                handler.close_connection = True
                with contextlib.suppress(OSError):
                    handler.connection.shutdown(socket.SHUT_RDWR)
                return
            handler.send_response(reply.status)
            handler.send_header("Content-Type", reply.content_type)
            handler.send_header("Content-Length", str(len(reply.body)))
            for name, value in reply.headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(reply.body)
            handler.wfile.flush()
        except OSError:  # the client gave up (a timeout on a slow response)
            handler.close_connection = True

    # --- authentication ---------------------------------------------------------------------------------

    @staticmethod
    def _basic(request: _Request) -> tuple[str, str] | None:
        header = request.headers.get("Authorization") or ""
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            user, _, password = base64.b64decode(value.strip(), validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return user, password

    @staticmethod
    def _bearer(request: _Request) -> str | None:
        header = request.headers.get("Authorization") or ""
        scheme, _, value = header.partition(" ")
        return value.strip() if scheme.lower() == "bearer" and value.strip() else None

    def _unauthorized_bearer(self, description: str) -> Reply:
        return Reply(
            401,
            b"<html><head><title>Logon Error Message</title></head><body>Anmeldung fehlgeschlagen</body></html>",
            "text/html; charset=utf-8",
            headers={"WWW-Authenticate": f'Bearer error="invalid_token", error_description="{description}"'},
        )

    def _authenticate(self, request: _Request) -> Reply | None:
        endpoint = request.endpoint
        assert endpoint is not None
        if endpoint.auth == "client":
            return None  # the token endpoint checks the client itself
        if endpoint.auth == "bearer":
            token = self._bearer(request)
            if token is None:
                return self._unauthorized_bearer("Bearer token required")
            expiry = self._tokens.get(token)
            if expiry is None:
                return self._unauthorized_bearer("The access token is invalid")
            if time.monotonic() >= expiry:
                del self._tokens[token]
                return self._unauthorized_bearer("The access token expired")
            request.bearer = token
            return None
        credentials = self._basic(request)
        expected = {
            "oracle": (self.credentials.oracle_username, self.credentials.oracle_password),
            "workday": (self.credentials.workday_username, self.credentials.workday_password),
        }[endpoint.family]
        if credentials is None or not (
            secrets.compare_digest(credentials[0], expected[0])
            and secrets.compare_digest(credentials[1], expected[1])
        ):
            realm = "Oracle Fusion" if endpoint.family == "oracle" else "Workday"
            return Reply(401, b"", "text/plain", headers={"WWW-Authenticate": f'Basic realm="{realm}"'})
        return None

    def _token(self, request: _Request, fault: Fault | None) -> tuple[Reply, bool]:
        form = dict(parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True))
        client = self._basic(request) or (form.get("client_id", ""), form.get("client_secret", ""))
        if not (
            secrets.compare_digest(client[0], self.credentials.sap_client_id)
            and secrets.compare_digest(client[1], self.credentials.sap_client_secret)
        ):
            return _json(
                401,
                {"error": "invalid_client", "error_description": "Bad client credentials"},
                headers={"WWW-Authenticate": 'Basic realm="oauth"'},
            ), False
        if form.get("grant_type") != "client_credentials":
            return _json(
                400, {"error": "unsupported_grant_type", "error_description": "Unsupported grant type"}
            ), False
        token = secrets.token_urlsafe(32)
        self._tokens[token] = time.monotonic() + self.token_lifetime
        self._issued.append(token)
        self._stats.tokens_issued += 1
        document = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": max(1, math.ceil(self.token_lifetime)),
            "scope": "API_PURCHASEORDER_PROCESS_SRV_0001 API_MATERIAL_STOCK_SRV_0001",
            "jti": secrets.token_hex(16),
        }
        return _json(200, document, headers={"Cache-Control": "no-store"}), False

    # --- shared paging helpers --------------------------------------------------------------------------

    @staticmethod
    def _sorted(
        records: list[Any], order: list[tuple[str, bool]], get: Callable[[Any, str], Any]
    ) -> list[Any]:
        result = list(records)
        for name, descending in reversed(order):
            result.sort(key=lambda record, name=name: _sort_value(get(record, name)), reverse=descending)
        return result

    def _shift(
        self,
        endpoint: Endpoint,
        filter_node: Node | None,
        records: Iterable[Any],
        order: list[tuple[str, bool]],
        get: Callable[[Any, str], Any],
        first: Any,
    ) -> bool:
        """Move the window's record just before ``first`` (in the walk's order) past the window."""
        if first is None or endpoint.change_field is None:
            return False
        window = window_only(filter_node, endpoint.change_field)
        in_window = self._sorted([record for record in records if evaluate(window, record, get)], order, get)
        position = next((index for index, record in enumerate(in_window) if record is first), None)
        if not position:
            return False
        victim = in_window[position - 1]
        upper = max(
            (part.value for part in _comparisons(window) if part.op in ("le", "lt")),
            default=0,
        )
        self._shifts += 1
        moved = max(self.dataset.latest_change_ms(), upper // 1000) + 60_000 * self._shifts
        victim.set_change(moved)
        return True

    def _repeat(self, endpoint: Endpoint, page: list[Any], fault: Fault) -> list[Any] | None:
        previous = self._last_page.get(endpoint.name)
        if not previous or not page:
            return None
        rows = fault.params["rows"]
        if rows is None:
            return list(previous)
        rows = min(int(rows), len(previous))
        return previous[-rows:] + page[: max(0, len(page) - rows)]

    # --- SAP S/4HANA ------------------------------------------------------------------------------------

    @staticmethod
    def _odata_format(request: _Request) -> Reply | None:
        wanted = request.query.get("$format")
        accept = request.headers.get("Accept") or ""
        if wanted == "json" or (wanted is None and "application/json" in accept):
            return None
        return Reply(
            406,
            b'<?xml version="1.0" encoding="utf-8"?><error><message>The simulator answers OData in JSON only: '
            b"add $format=json</message></error>",
            "application/xml",
        )

    def _odata_page(self, request: _Request, matches: list[Any]) -> tuple[int, int, int | None]:
        """(start, end, next skiptoken) of the page: ``$skip`` + ``$skiptoken`` offset, ``$top`` limit,
        server paging at ``sap_default_page_size`` (no $top) or ``sap_max_page_size`` (with $top)."""
        query = request.query
        skip = _non_negative(query.get("$skip"), "$skip")
        token = _non_negative(query.get("$skiptoken"), "$skiptoken")
        top = query.get("$top")
        limit = len(matches) if top is None else min(len(matches), skip + _non_negative(top, "$top"))
        size = self.sap_default_page_size if top is None else self.sap_max_page_size
        start = min(skip + token, limit)
        end = min(start + size, limit)
        return start, end, (end - skip if end < limit else None)

    def _next_link(self, request: _Request, skiptoken: int | None) -> str | None:
        if skiptoken is None:
            return None
        query = dict(request.query)
        query["$skiptoken"] = str(skiptoken)
        encoded = urlencode(query, quote_via=quote, safe="$'(),:")
        return f"{request.base_url}{urlsplit(request.target).path}?{encoded}"

    def _sap_purchase_orders(self, request: _Request, fault: Fault | None) -> tuple[Reply, bool]:
        refused = self._odata_format(request)
        if refused:
            return refused, False
        query = request.query
        expand = [part.strip() for part in query.get("$expand", "").split(",") if part.strip()]
        unknown = [part for part in expand if part != "to_PurchaseOrderItem"]
        if unknown:
            raise QueryError(f"Navigation property {unknown[0]} not supported by the simulator")
        node = parse_odata_filter(query.get("$filter"))
        order = parse_orderby(query.get("$orderby")) or [("PurchaseOrder", False)]
        orders = self.dataset.sap_purchase_orders
        matches = self._sorted(
            [po for po in orders if evaluate(node, po, _sap_po_value)], order, _sap_po_value
        )
        endpoint = self._endpoints["sap_purchase_orders"]
        applied = False
        start, end, _ = self._odata_page(request, matches)
        if fault is not None and fault.kind == "shift" and start < len(matches):
            applied = self._shift(endpoint, node, orders, order, _sap_po_value, matches[start])
            if applied:
                matches = self._sorted(
                    [po for po in orders if evaluate(node, po, _sap_po_value)], order, _sap_po_value
                )
        start, end, skiptoken = self._odata_page(request, matches)
        page = matches[start:end]
        page, repeated = self._served_page(endpoint, page, fault)
        applied = applied or repeated
        expanded = "to_PurchaseOrderItem" in expand
        results = [_sap_po_json(po, request.base_url, expanded) for po in page]
        return self._odata_reply(request, matches, results, skiptoken), applied

    def _served_page(
        self, endpoint: Endpoint, page: list[Any], fault: Fault | None
    ) -> tuple[list[Any], bool]:
        """The page as served (a ``repeat_page`` fault sends the previous page again), remembered as the
        endpoint's last page; and whether the fault was applied."""
        applied = False
        if fault is not None and fault.kind == "repeat_page":
            repeated = self._repeat(endpoint, page, fault)
            if repeated is not None:
                page, applied = repeated, True
        self._last_page[endpoint.name] = page
        return page, applied

    def _odata_reply(
        self, request: _Request, matches: list[Any], results: list[dict[str, Any]], skiptoken: int | None
    ) -> Reply:
        """An OData v2 collection: ``{"d": {"__count"?, "results", "__next"?}}``."""
        document: dict[str, Any] = {}
        if request.query.get("$inlinecount") == "allpages":
            document["__count"] = str(len(matches))
        document["results"] = results
        next_link = self._next_link(request, skiptoken)
        if next_link:
            document["__next"] = next_link
        return _json(200, {"d": document}, records=len(results))

    def _sap_material_stock(self, request: _Request, fault: Fault | None) -> tuple[Reply, bool]:
        refused = self._odata_format(request)
        if refused:
            return refused, False
        query = request.query
        node = parse_odata_filter(query.get("$filter"))
        order = parse_orderby(query.get("$orderby")) or [
            ("Material", False),
            ("Plant", False),
            ("StorageLocation", False),
            ("InventoryStockType", False),
        ]
        matches = self._sorted(
            [row for row in self.dataset.sap_stock if evaluate(node, row, _stock_value)], order, _stock_value
        )
        start, end, skiptoken = self._odata_page(request, matches)
        page = matches[start:end]
        endpoint = self._endpoints["sap_material_stock"]
        applied = False
        page, repeated = self._served_page(endpoint, page, fault)
        applied = applied or repeated
        results = [_stock_json(row, request.base_url) for row in page]
        return self._odata_reply(request, matches, results, skiptoken), applied

    # --- Oracle Fusion ----------------------------------------------------------------------------------

    def _oracle_collection(
        self,
        request: _Request,
        fault: Fault | None,
        endpoint: Endpoint,
        records: list[Any],
        kinds: dict[str, str],
        get: Callable[[Any, str], Any],
        default_order: str,
        render: Callable[[Any, bool, str], dict[str, Any]],
    ) -> tuple[Reply, bool]:
        query = request.query
        node = parse_oracle_q(query.get("q"), kinds)
        order = parse_orderby(query.get("orderBy"), ":") or [(default_order, False)]
        for name, _ in order:
            if name not in kinds:
                raise QueryError(f"The attribute {name} in the query parameter orderBy is not valid")
        limit = min(
            _non_negative(query.get("limit"), "limit") or self.oracle_default_limit, self.oracle_max_limit
        )
        offset = _non_negative(query.get("offset"), "offset")
        matches = self._sorted([record for record in records if evaluate(node, record, get)], order, get)
        applied = False
        if fault is not None and fault.kind == "shift" and offset < len(matches):
            applied = self._shift(endpoint, node, records, order, get, matches[offset])
            if applied:
                matches = self._sorted(
                    [record for record in records if evaluate(node, record, get)], order, get
                )
        page = matches[offset : offset + limit]
        has_more = offset + len(page) < len(matches)
        page, repeated = self._served_page(endpoint, page, fault)
        applied = applied or repeated
        only_data = query.get("onlyData", "false").lower() == "true"
        expand = query.get("expand", "")
        items = [render(record, only_data, expand) for record in page]
        document: dict[str, Any] = {"items": items}
        if query.get("totalResults", "false").lower() == "true":
            document["totalResults"] = len(matches)
        document.update({"count": len(page), "hasMore": has_more, "limit": limit, "offset": offset})
        if not only_data:
            document["links"] = [
                {
                    "rel": "self",
                    "href": request.base_url + request.target,
                    "name": endpoint.name,
                    "kind": "collection",
                }
            ]
        return _json(200, document, records=len(page)), applied

    def _oracle_purchase_orders(self, request: _Request, fault: Fault | None) -> tuple[Reply, bool]:
        kinds = {
            "POHeaderId": "number",
            "SupplierId": "number",
            "LastUpdateDate": "timestamp",
            "CreationDate": "timestamp",
            "OrderNumber": "text",
            "Supplier": "text",
            "ProcurementBU": "text",
            "Status": "text",
            "CurrencyCode": "text",
        }

        def render(order: OraclePurchaseOrder, only_data: bool, expand: str) -> dict[str, Any]:
            item = dict(order.header)
            self_link = f"{request.base_url}{ORACLE_ROOT}/purchaseOrders/{order.key}"
            if "lines" in expand.split(",") or expand == "all":
                lines = []
                for line in order.lines:
                    rendered = dict(line)
                    if not only_data:
                        rendered["links"] = [
                            {
                                "rel": "self",
                                "href": f"{self_link}/child/lines/{line['POLineId']}",
                                "name": "lines",
                                "kind": "item",
                            }
                        ]
                    lines.append(rendered)
                item["lines"] = lines
            if not only_data:
                item["links"] = [
                    {"rel": "self", "href": self_link, "name": "purchaseOrders", "kind": "item"},
                    {
                        "rel": "child",
                        "href": f"{self_link}/child/lines",
                        "name": "lines",
                        "kind": "collection",
                    },
                ]
            return item

        endpoint = self._endpoints["oracle_purchase_orders"]
        return self._oracle_collection(
            request,
            fault,
            endpoint,
            self.dataset.oracle_purchase_orders,
            kinds,
            _oracle_po_value,
            "POHeaderId",
            render,
        )

    def _oracle_invoices(self, request: _Request, fault: Fault | None) -> tuple[Reply, bool]:
        kinds = {
            "InvoiceId": "number",
            "LastUpdateDate": "timestamp",
            "CreationDate": "timestamp",
            "InvoiceDate": "timestamp",
            "InvoiceNumber": "text",
            "Supplier": "text",
            "BusinessUnit": "text",
            "InvoiceCurrency": "text",
        }

        def render(invoice: Any, only_data: bool, expand: str) -> dict[str, Any]:
            item = dict(invoice.record)
            if not only_data:
                href = f"{request.base_url}{ORACLE_ROOT}/invoices/{invoice.key}"
                item["links"] = [{"rel": "self", "href": href, "name": "invoices", "kind": "item"}]
            return item

        endpoint = self._endpoints["oracle_invoices"]
        return self._oracle_collection(
            request,
            fault,
            endpoint,
            self.dataset.oracle_invoice_records,
            kinds,
            _oracle_invoice_value,
            "InvoiceId",
            render,
        )

    # --- Workday ----------------------------------------------------------------------------------------

    @staticmethod
    def _workday_format(request: _Request) -> Reply | None:
        if request.query.get("format", "").lower() == "json":
            return None
        return Reply(
            200,
            b'<?xml version="1.0" encoding="UTF-8"?><wd:Report_Data xmlns:wd="urn:com.workday.report/report"/>',
            "application/xml; charset=utf-8",
        )

    def _workday_headcount(self, request: _Request, fault: Fault | None) -> tuple[Reply, bool]:
        refused = self._workday_format(request)
        if refused:
            return refused, False
        as_of = request.query.get("As_Of_Date")
        day = _prompt_date(as_of, "As_Of_Date") if as_of else None
        rows = [dict(row) for row in self.dataset.headcount[self.dataset.headcount_as_of(day)]]
        return _json(200, {"Report_Entry": rows}, records=len(rows)), False

    def _workday_expense_items(self, request: _Request, fault: Fault | None) -> tuple[Reply, bool]:
        refused = self._workday_format(request)
        if refused:
            return refused, False
        missing = [name for name in ("Start_Date", "End_Date") if not request.query.get(name)]
        if missing:
            raise QueryError(f"Validation error occurred. Invalid prompt value: {missing[0]} is required")
        start = _prompt_date(request.query["Start_Date"], "Start_Date")
        end = _prompt_date(request.query["End_Date"], "End_Date")
        entries = [
            dict(item.record) for item in self.dataset.expense_records if start <= item.local_date <= end
        ]
        return _json(200, {"Report_Entry": entries}, records=len(entries)), False


# --- value access for filters and ordering ----------------------------------------------------------------


def _sort_value(value: Any) -> tuple[int, Any]:
    return (0, "") if value is None else (1, value)


_ODATA_MS = re.compile(r"^/Date\((-?\d+)")


def _odata_ms(text: str) -> int:
    match = _ODATA_MS.match(text)
    if not match:
        raise QueryError(f"not an OData date: {text!r}")
    return int(match.group(1))


def _sap_po_value(order: SapPurchaseOrder, name: str) -> Any:
    if name == "LastChangeDateTime":
        return order.change_ms * 1000
    if name in ("CreationDate", "PurchaseOrderDate"):
        return _odata_ms(order.header[name]) * 1000
    if name in order.header:
        return order.header[name]
    raise QueryError(f"Property {name} not found in type A_PurchaseOrderType")


def _stock_value(row: dict[str, Any], name: str) -> Any:
    if name == "MatlWrhsStkQtyInMatlBaseUnit":
        return Decimal(row[name])
    if name in row:
        return row[name]
    raise QueryError(f"Property {name} not found in type A_MatlStkInAcctModType")


def _oracle_po_value(order: OraclePurchaseOrder, name: str) -> Any:
    if name == "LastUpdateDate":
        return order.change_ms * 1000
    value = order.header.get(name)
    if name == "CreationDate":
        return parse_timestamp_us(value)
    if name in ("POHeaderId", "SupplierId"):
        return Decimal(str(value))
    return value


def _oracle_invoice_value(invoice: Any, name: str) -> Any:
    if name == "LastUpdateDate":
        return invoice.change_ms * 1000
    value = invoice.record.get(name)
    if name in ("CreationDate", "InvoiceDate"):
        return parse_timestamp_us(value)
    if name == "InvoiceId":
        return Decimal(str(value))
    return value


def _comparisons(node: Node | None) -> list[Any]:
    if node is None:
        return []
    if hasattr(node, "parts"):
        return [part for sub in node.parts for part in _comparisons(sub)]
    return [node]


def _non_negative(text: str | None, name: str) -> int:
    if text is None or text == "":
        return 0
    try:
        value = int(text)
    except ValueError:
        raise QueryError(f"Invalid value {text!r} for {name}") from None
    if value < 0:
        raise QueryError(f"Invalid value {text!r} for {name}")
    return value


def _prompt_date(text: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise QueryError(f"Validation error occurred. Invalid prompt value for {name}: {text!r}") from None


def _seconds_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _sap_po_json(order: SapPurchaseOrder, base_url: str, expanded: bool) -> dict[str, Any]:
    uri = f"{base_url}{SAP_PO_SERVICE}/A_PurchaseOrder('{order.key}')"
    document: dict[str, Any] = {
        "__metadata": {"id": uri, "uri": uri, "type": "API_PURCHASEORDER_PROCESS_SRV.A_PurchaseOrderType"}
    }
    document.update(order.header)
    if expanded:
        items = []
        for item in order.items:
            item_uri = (
                f"{base_url}{SAP_PO_SERVICE}/A_PurchaseOrderItem(PurchaseOrder='{order.key}',"
                f"PurchaseOrderItem='{item['PurchaseOrderItem']}')"
            )
            rendered: dict[str, Any] = {
                "__metadata": {
                    "id": item_uri,
                    "uri": item_uri,
                    "type": "API_PURCHASEORDER_PROCESS_SRV.A_PurchaseOrderItemType",
                }
            }
            rendered.update(item)
            for navigation in ("to_AccountAssignment", "to_PurchaseOrderPricingElement", "to_ScheduleLine"):
                rendered[navigation] = {"__deferred": {"uri": f"{item_uri}/{navigation}"}}
            items.append(rendered)
        document["to_PurchaseOrderItem"] = {"results": items}
    else:
        document["to_PurchaseOrderItem"] = {"__deferred": {"uri": f"{uri}/to_PurchaseOrderItem"}}
    document["to_PurchaseOrderNote"] = {"__deferred": {"uri": f"{uri}/to_PurchaseOrderNote"}}
    return document


def _stock_json(row: dict[str, Any], base_url: str) -> dict[str, Any]:
    keys = ",".join(
        f"{name}='{row[name]}'"
        for name in (
            "Material",
            "Plant",
            "StorageLocation",
            "Batch",
            "Supplier",
            "Customer",
            "WBSElementInternalID",
            "SDDocument",
            "SDDocumentItem",
            "InventorySpecialStockType",
            "InventoryStockType",
        )
    )
    uri = f"{base_url}{SAP_STOCK_SERVICE}/A_MatlStkInAcctMod({keys})"
    document: dict[str, Any] = {
        "__metadata": {"id": uri, "uri": uri, "type": "API_MATERIAL_STOCK_SRV.A_MatlStkInAcctModType"}
    }
    document.update(row)
    return document
