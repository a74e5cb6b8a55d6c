"""The ERP clients against the simulator: every entity under every fault yields exactly the ground truth.

Choice on duplicates: the clients page by key (the last key of a page is in the next request's filter),
check that every page's keys ascend past the previous page's, and re-request a page that repeats rows —
so a walk yields each business key once, even when the server repeats a page or records change while
paging; these tests assert exactly that (no gap, no duplicate). Duplicates across windows (the overlap,
inclusive bounds) are still expected downstream and removed in staging.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import multiprocessing
import re
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from greenlang.core.http import Redactor, build_url, parse_retry_after
from greenlang.erp.clients import (
    ErpAuthError,
    ErpHttpError,
    OracleFusionResource,
    Page,
    RequestRateLimit,
    SapS4HanaResource,
    WorkdayResource,
    utc_window,
)
from greenlang.erp.clients.oracle import oracle_timestamp
from greenlang.erp.clients.sap import odata_datetimeoffset
from simulators.erp import Dataset, ErpSimulator
from tests.helpers.erp import (
    SINCE,
    SMALL_DATASET,
    UNTIL,
    UTC,
    oracle_for,
    sap_for,
    sap_settings,
    walk_sap_purchase_orders,
    workday_for,
)

# --- entities ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entity:
    name: str
    system: str  # sap | oracle | workday
    path: str  # what fault injection matches
    read: Callable[[Any], Iterator[Page]]
    truth: Callable[[Dataset], dict[tuple[str, ...], dict[str, Any]]]
    key: Callable[[dict[str, Any]], tuple[str, ...]]
    paged: bool = True
    incremental: bool = True


AS_OF = dt.date(2026, 6, 30)
ENTITIES = [
    Entity(
        "sap_purchase_order_items",
        "sap",
        "A_PurchaseOrder",
        lambda client: client.purchase_order_items(SINCE, UNTIL),
        lambda data: data.sap_purchase_order_items(SINCE, UNTIL),
        lambda record: (record["PurchaseOrder"], record["PurchaseOrderItem"]),
    ),
    Entity(
        "sap_material_stock",
        "sap",
        "A_MatlStkInAcctMod",
        lambda client: client.material_stock(),
        lambda data: data.sap_material_stock(),
        lambda record: (
            record["Material"],
            record["Plant"],
            record["StorageLocation"],
            record["InventoryStockType"],
        ),
        incremental=False,
    ),
    Entity(
        "oracle_purchase_order_lines",
        "oracle",
        "/purchaseOrders",
        lambda client: client.purchase_order_lines(SINCE, UNTIL),
        lambda data: data.oracle_purchase_order_lines(SINCE, UNTIL),
        lambda record: (str(record["POHeaderId"]), str(record["POLineId"])),
    ),
    Entity(
        "oracle_invoices",
        "oracle",
        "/invoices",
        lambda client: client.invoices(SINCE, UNTIL),
        lambda data: data.oracle_invoices(SINCE, UNTIL),
        lambda record: (str(record["InvoiceId"]),),
    ),
    Entity(
        "workday_headcount",
        "workday",
        "Headcount_by_Location",
        lambda client: client.worker_headcount(AS_OF),
        lambda data: data.workday_headcount(AS_OF),
        lambda record: (
            record["Report_Date"],
            record["Location"],
            record["Cost_Center"],
            record["Worker_Type"],
        ),
        paged=False,
        incremental=False,
    ),
    Entity(
        "workday_expense_items",
        "workday",
        "Expense_Items",
        lambda client: client.expense_items(SINCE, UNTIL),
        lambda data: data.workday_expense_items(SINCE, UNTIL),
        lambda record: (record["Expense_Item_ID"],),
        paged=False,
    ),
]
BY_NAME = {entity.name: entity for entity in ENTITIES}
CLIENTS = {"sap": sap_for, "oracle": oracle_for, "workday": workday_for}


def client_for(entity: Entity, simulator: ErpSimulator, **overrides: Any) -> Any:
    return CLIENTS[entity.system](simulator, **overrides)


def read_all(
    entity: Entity, client: Any
) -> tuple[list[Page], dict[tuple[str, ...], dict[str, Any]], Counter]:
    pages = list(entity.read(client))
    keys: Counter = Counter()
    records = {}
    for page in pages:
        for record in page.records:
            key = entity.key(record)
            keys[key] += 1
            records[key] = record
    return pages, records, keys


# --- every entity, without faults -------------------------------------------------------------------------


@pytest.mark.parametrize("entity", ENTITIES, ids=lambda entity: entity.name)
def test_a_walk_yields_the_ground_truth(erp_sim: ErpSimulator, entity: Entity) -> None:
    truth = entity.truth(erp_sim.dataset)
    client = client_for(entity, erp_sim)
    pages, records, keys = read_all(entity, client)
    assert records == truth
    assert max(keys.values()) == 1
    assert len(pages) >= (3 if entity.system != "workday" or entity.incremental else 1)
    assert all(page.url.startswith(erp_sim.base_url) for page in pages)
    # every request of the walk is one page, and no request failed
    assert erp_sim.stats.statuses == Counter({200: len(pages) + (entity.system == "sap")})


def test_records_are_parsed_exactly_and_flattened(
    sap_client: SapS4HanaResource, oracle_client: OracleFusionResource
) -> None:
    sap = next(iter(sap_client.purchase_order_items(SINCE, UNTIL))).records[0]
    assert "__metadata" not in sap and "to_PurchaseOrderItem" not in sap and "to_ScheduleLine" not in sap
    assert sap["LastChangeDateTime"].startswith("/Date(") and sap["LastChangeDateTime"].endswith("+0000)/")
    assert sap["OrderQuantity"].count(".") == 1 and len(sap["OrderQuantity"].split(".")[1]) == 3
    assert {"PurchaseOrder", "PurchaseOrderItem", "Supplier", "CompanyCode", "Material"} <= set(sap)
    oracle = next(iter(oracle_client.purchase_order_lines(SINCE, UNTIL))).records[0]
    assert "lines" not in oracle and "links" not in oracle
    assert {"POHeaderId", "POLineId", "LineNumber", "Status", "LineStatus", "LastUpdateDate"} <= set(oracle)
    # JSON numbers keep their text (loads_exact): 125.93 stays "125.93", never a float
    assert type(oracle["Quantity"]).__name__ == "_Number" and isinstance(oracle["Quantity"], str)


def test_page_total_is_the_servers_count_for_the_window(erp_sim: ErpSimulator) -> None:
    orders = {
        order.key
        for order in erp_sim.dataset.sap_purchase_orders
        if SINCE <= _utc_ms(order.change_ms) <= UNTIL
    }
    pages = list(sap_for(erp_sim).purchase_order_items(SINCE, UNTIL))
    assert {page.total for page in pages} == {len(orders)}
    received = {record["PurchaseOrder"] for page in pages for record in page.records}
    assert received == orders
    invoices = list(oracle_for(erp_sim).invoices(SINCE, UNTIL))
    assert {page.total for page in invoices} == {len(erp_sim.dataset.oracle_invoices(SINCE, UNTIL))}
    stock = list(sap_for(erp_sim).material_stock())
    assert {page.total for page in stock} == {len(erp_sim.dataset.sap_stock)}
    assert all(page.total is None for page in workday_for(erp_sim).expense_items(SINCE, UNTIL))


def test_an_open_window_reads_everything_and_an_empty_one_yields_one_empty_page(
    erp_sim: ErpSimulator,
) -> None:
    everything = list(oracle_for(erp_sim, page_size=500).invoices())
    assert sum(len(page) for page in everything) == SMALL_DATASET["oracle_invoices"]
    before = dt.datetime(2020, 1, 1, tzinfo=UTC)
    empty = list(sap_for(erp_sim).purchase_order_items(before, before + dt.timedelta(days=1)))
    assert [(page.records, page.total) for page in empty] == [([], 0)]


def test_window_bounds_are_inclusive_and_naive_means_utc(erp_sim: ErpSimulator) -> None:
    order = erp_sim.dataset.oracle_purchase_orders[5]
    moment = _utc_ms(order.change_ms)
    for since, until in ((moment, moment), (moment.replace(tzinfo=None), moment.replace(tzinfo=None))):
        pages = list(oracle_for(erp_sim).purchase_order_lines(since, until))
        assert {int(record["POHeaderId"]) for page in pages for record in page.records} == {order.key}
    cet = dt.timezone(dt.timedelta(hours=1))
    assert utc_window(dt.datetime(2026, 1, 1, 1, tzinfo=cet), None) == (
        dt.datetime(2026, 1, 1, tzinfo=UTC),
        None,
    )
    with pytest.raises(ValueError, match="after"):
        utc_window(UNTIL, SINCE)


def test_literals_of_filters() -> None:
    moment = dt.datetime(2026, 3, 4, 5, 6, 7, 120000, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert odata_datetimeoffset(moment) == "datetimeoffset'2026-03-04T03:06:07.12Z'"
    assert odata_datetimeoffset(dt.datetime(2026, 1, 1, tzinfo=UTC)) == "datetimeoffset'2026-01-01T00:00:00Z'"
    assert oracle_timestamp(moment) == "2026-03-04T03:06:07.120+00:00"
    url = build_url(
        "http://h/x", [("$filter", "A ge datetimeoffset'2026-01-01T00:00:00Z'"), ("q", "B>='x+1';C<=2")]
    )
    assert (
        url == "http://h/x?$filter=A%20ge%20datetimeoffset'2026-01-01T00:00:00Z'&q=B%3E%3D'x%2B1'%3BC%3C%3D2"
    )


# --- every entity under every fault -----------------------------------------------------------------------

FAULTS: list[tuple[str, dict[str, Any]]] = [
    # a fractional Retry-After keeps this matrix quick; test_429_waits_at_least_retry_after uses whole seconds
    ("rate_limit", {"count": 2, "retry_after": 0.2}),
    ("server_error", {"count": 3, "status": (500, 502, 503)}),
    ("slow", {"count": 1, "delay": 1.0}),
    ("reset", {"count": 2}),
    ("truncated", {"count": 2}),
    ("html", {"count": 2}),
    ("repeat_page", {"count": 1}),
    ("repeat_page", {"count": 2, "rows": 3}),
    ("shift", {"count": 2}),
    ("token_expired", {"count": 1}),
]


def _applies(entity: Entity, kind: str) -> bool:
    if kind == "repeat_page":
        return entity.paged
    if kind == "shift":
        return entity.paged and entity.incremental
    if kind == "token_expired":
        return entity.system == "sap"
    return True


CASES = [
    pytest.param(entity, kind, params, id=f"{entity.name}-{kind}{'-rows' if 'rows' in params else ''}")
    for entity in ENTITIES
    for kind, params in FAULTS
    if _applies(entity, kind)
]


@pytest.mark.parametrize(("entity", "kind", "params"), CASES)
def test_faults_change_nothing_in_what_a_walk_yields(
    erp_sim: ErpSimulator, entity: Entity, kind: str, params: dict[str, Any]
) -> None:
    truth = entity.truth(erp_sim.dataset)  # taken before the walk: `shift` changes the dataset during it
    params = dict(params)
    count = params.pop("count")
    # after=1: the fault hits the walk's second request (a later page), where there is one
    after = 1 if entity.paged or entity.incremental else 0
    fault = erp_sim.inject(kind, count, path_contains=entity.path, after=after, **params)
    client = client_for(entity, erp_sim)
    started = time.monotonic()
    _, records, keys = read_all(entity, client)
    elapsed = time.monotonic() - started
    assert fault.applied == count, f"the simulator injected {fault.applied} of {count}"
    assert erp_sim.stats.injected[kind] == count
    assert records == truth, "a gap or a changed record"
    assert max(keys.values()) == 1, f"duplicates: {[key for key, seen in keys.items() if seen > 1][:3]}"
    if kind == "rate_limit":
        assert elapsed >= params["retry_after"]
    if kind == "shift":
        moved = set(truth) - set(entity.truth(erp_sim.dataset))
        assert moved, "the shift fault moved records out of the window"
    if kind == "token_expired":
        assert erp_sim.stats.tokens_issued == 2
        assert erp_sim.stats.unauthorized == 1


def test_the_records_a_shift_moved_are_in_the_next_window(erp_sim: ErpSimulator) -> None:
    """Nothing is lost across windows: what left this window while paging is read by the next one."""
    first = erp_sim.dataset.sap_purchase_order_items(SINCE, UNTIL)
    erp_sim.inject("shift", 3, path_contains="A_PurchaseOrder")
    client = sap_for(erp_sim)
    got = {
        (r["PurchaseOrder"], r["PurchaseOrderItem"])
        for page in client.purchase_order_items(SINCE, UNTIL)
        for r in page.records
    }
    assert got == set(first)
    later = {
        (r["PurchaseOrder"], r["PurchaseOrderItem"]): r
        for page in client.purchase_order_items(UNTIL, None)
        for r in page.records
    }
    moved = set(first) - set(erp_sim.dataset.sap_purchase_order_items(SINCE, UNTIL))
    assert moved and moved <= set(later)
    assert all(later[key]["LastChangeDateTime"] != first[key]["LastChangeDateTime"] for key in moved)


# --- Retry-After, bounded retries, clear errors ------------------------------------------------------------


def test_429_waits_at_least_retry_after(erp_sim: ErpSimulator) -> None:
    erp_sim.inject("rate_limit", 1, path_contains="/invoices", after=1, retry_after=1)
    list(oracle_for(erp_sim).invoices(SINCE, UNTIL))
    served = [entry for entry in erp_sim.requests if entry.endpoint == "oracle_invoices"]
    throttled = [index for index, entry in enumerate(served) if entry.status == 429]
    assert len(throttled) == 1 and served[throttled[0]].fault == "rate_limit"
    for index in throttled:
        assert served[index + 1].received_at - served[index].sent_at >= 1.0


def test_a_retry_after_beyond_the_limit_fails_at_once(erp_sim: ErpSimulator) -> None:
    erp_sim.inject("rate_limit", 1, retry_after=3600)
    with pytest.raises(ErpHttpError, match=r"asks to wait 3600 s .*max_retry_after_seconds=30") as caught:
        list(oracle_for(erp_sim, max_retry_after_seconds=30).invoices(SINCE, UNTIL))
    assert caught.value.status == 429 and caught.value.attempts == 1


PERSISTENT = [
    ("server_error", {"status": 503}, r"HTTP 503 Service Unavailable"),
    ("truncated", {}, r"HTTP 200 OK with truncated JSON instead of a JSON document"),
    ("html", {}, r"HTTP 200 OK with an HTML page instead of a JSON document \(\d+ bytes, text/html"),
    ("slow", {"delay": 1.0}, r"no response within 0.5 s \(ReadTimeout\)"),
    ("reset", {}, r"connection failed \(ConnectionError\)"),
    ("repeat_page", {}, r"unusable page: InvoiceId \d+ does not follow \d+: rows repeated or out of order"),
]


@pytest.mark.parametrize(("kind", "params", "reason"), PERSISTENT, ids=[case[0] for case in PERSISTENT])
def test_retries_are_bounded_and_the_final_error_is_clear(
    erp_sim: ErpSimulator, kind: str, params: dict[str, Any], reason: str
) -> None:
    erp_sim.inject(kind, 100, path_contains="/invoices", after=1, **params)
    pages = oracle_for(erp_sim, max_retries=2).invoices(SINCE, UNTIL)
    assert next(pages).records
    with pytest.raises(ErpHttpError) as caught:
        next(pages)
    error = caught.value
    message = str(error)
    assert message.startswith(
        f"Oracle Fusion: GET {erp_sim.base_url}/fscmRestApi/resources/11.13.18.05/invoices?"
    )
    assert "failed after 3 attempts: " in message
    assert error.attempts == 3
    assert error.url in message
    assert error.status == (
        503 if kind == "server_error" else 200 if kind in ("truncated", "html", "repeat_page") else None
    )
    assert re.search(reason, message), message
    assert erp_sim.stats.requests["oracle_invoices"] == 1 + 3


def test_client_errors_are_not_retried(erp_sim: ErpSimulator) -> None:
    with pytest.raises(ErpHttpError, match=r"failed after 1 attempt: HTTP 404 Not Found") as caught:
        list(oracle_for(erp_sim, api_version="11.13.18.99").invoices())
    assert caught.value.status == 404
    assert erp_sim.stats.total_requests == 1


def test_backoff_grows_and_has_jitter(erp_sim: ErpSimulator) -> None:
    erp_sim.inject("server_error", 3, path_contains="/invoices")
    client = oracle_for(erp_sim, backoff_initial_seconds=0.1, backoff_max_seconds=10)
    list(client.invoices(SINCE, UNTIL))
    served = [entry for entry in erp_sim.requests if entry.endpoint == "oracle_invoices"][:4]
    gaps = [later.received_at - earlier.sent_at for earlier, later in pairwise(served)]
    # wait_exponential_jitter: 0.1·2^n plus up to 0.1 of jitter (and the time a request takes)
    for n, gap in enumerate(gaps):
        assert 0.1 * 2**n <= gap <= 0.1 * 2**n + 0.1 + 0.5, gaps


# --- OAuth token --------------------------------------------------------------------------------------------


def test_a_401_renews_the_token_once(erp_sim: ErpSimulator) -> None:
    erp_sim.inject("token_expired", 1, after=2)
    truth = erp_sim.dataset.sap_purchase_order_items(SINCE, UNTIL)
    records = {
        (r["PurchaseOrder"], r["PurchaseOrderItem"]): r
        for p in sap_for(erp_sim).purchase_order_items(SINCE, UNTIL)
        for r in p.records
    }
    assert records == truth
    stats = erp_sim.stats
    assert (stats.tokens_issued, stats.unauthorized, stats.injected["token_expired"]) == (2, 1, 1)


def test_the_token_is_renewed_before_it_expires() -> None:
    with ErpSimulator(seed=5, purchase_orders=40, token_lifetime=1) as simulator:
        client = sap_for(simulator, page_size=50, token_refresh_margin_seconds=0.5)
        list(client.purchase_order_items())
        time.sleep(0.6)  # within the margin: the client renews before the server would refuse the token
        list(client.purchase_order_items())
        stats = simulator.stats
        assert (stats.tokens_issued, stats.unauthorized) == (2, 0)


def test_a_token_the_server_revoked_is_renewed_after_the_401(erp_sim: ErpSimulator) -> None:
    client = sap_for(erp_sim, page_size=50)
    list(client.material_stock())
    erp_sim.revoke_tokens()  # e.g. the communication arrangement's key was rotated
    list(client.material_stock())
    stats = erp_sim.stats
    assert (stats.tokens_issued, stats.unauthorized) == (2, 1)


def test_a_401_right_after_a_new_token_fails_clearly(erp_sim: ErpSimulator) -> None:
    erp_sim.inject("token_expired", 2, path_contains="A_MatlStkInAcctMod")
    with pytest.raises(
        ErpAuthError, match=r"A_MatlStkInAcctMod\?.* failed after 1 attempt: HTTP 401"
    ) as caught:
        list(sap_for(erp_sim).material_stock())
    assert caught.value.status == 401
    stats = erp_sim.stats
    assert (stats.tokens_issued, stats.unauthorized, stats.requests["sap_material_stock"]) == (2, 2, 2)


def test_a_refused_client_fails_at_once_and_clearly(erp_sim: ErpSimulator) -> None:
    client = sap_for(erp_sim, client_secret="not-the-secret-123")
    with pytest.raises(
        ErpAuthError, match=r"SAP S/4HANA: POST http://.*/oauth/token failed after 1 attempt: HTTP 401"
    ):
        list(client.purchase_order_items(SINCE, UNTIL))
    assert erp_sim.stats.requests == Counter({"sap_token": 1})


@pytest.mark.parametrize("system", ["oracle", "workday"])
def test_a_refused_password_is_not_retried(erp_sim: ErpSimulator, system: str) -> None:
    client = CLIENTS[system](erp_sim, password="wrong-password-123")
    read = client.invoices if system == "oracle" else client.expense_items
    with pytest.raises(ErpAuthError, match="failed after 1 attempt: HTTP 401") as caught:
        list(read(SINCE, UNTIL))
    assert caught.value.status == 401
    assert erp_sim.stats.total_requests == 1  # retrying a wrong password could lock the account


def test_token_endpoint_faults_are_retried(erp_sim: ErpSimulator) -> None:
    erp_sim.inject("server_error", 2, path_contains="/oauth/token")
    erp_sim.inject("truncated", 1, path_contains="/oauth/token")
    pages = list(sap_for(erp_sim).material_stock())
    assert sum(len(page) for page in pages) == len(erp_sim.dataset.sap_stock)
    assert erp_sim.stats.requests["sap_token"] == 4


# --- rate limit -------------------------------------------------------------------------------------------


def test_the_rate_limit_spaces_requests_and_lets_its_burst_through() -> None:
    steady = RequestRateLimit(600)  # one request every 0.1 s
    started = time.monotonic()
    for _ in range(6):
        steady.acquire()
    assert 0.5 <= time.monotonic() - started < 1.0
    bursty = RequestRateLimit(600, burst=3)  # three back to back, then three every 0.3 s
    started = time.monotonic()
    for _ in range(3):
        bursty.acquire()
    assert time.monotonic() - started < 0.1
    bursty.acquire()
    assert time.monotonic() - started >= 0.25


@pytest.mark.parametrize("shared", [True, False], ids=["shared", "per-process"])
def test_two_processes_keep_one_servers_quota_only_when_they_share_the_limit(
    shared: bool, tmp_path: Path
) -> None:
    """Two processes (two Dagster steps) sync one SAP client at 20 requests/s each; the server allows 25
    in any second. Sharing the store, together they keep 20/s and are never throttled; each on its own
    limit, they send 40/s and the server answers 429 (the control: the test can tell the two apart)."""
    context = multiprocessing.get_context("fork")  # the imports already made: a quick start
    with ErpSimulator(seed=5, purchase_orders=150, rate_limit=(25, 1.0)) as simulator:
        store = str(tmp_path / "rate-limits.sqlite") if shared else None
        settings = sap_settings(simulator, page_size=5, rate_limit_per_minute=1200, rate_limit_store=store)
        start = context.Event()
        workers = [context.Process(target=walk_sap_purchase_orders, args=(settings, start)) for _ in range(2)]
        for worker in workers:
            worker.start()
        start.set()
        for worker in workers:
            worker.join(timeout=60)
        assert [worker.exitcode for worker in workers] == [0, 0]
        sent = [entry for entry in simulator.requests if entry.endpoint == "sap_purchase_orders"]
        assert len(sent) >= 2 * 20  # both walked every page: long enough for a quota to matter
        if shared:
            assert simulator.stats.throttled == 0
        else:
            assert simulator.stats.throttled > 0


def test_the_rate_limit_holds_against_the_server(erp_sim: ErpSimulator) -> None:
    rate = 20.0  # per second: 1200 a minute, one request at a time
    client = sap_for(erp_sim, page_size=6, rate_limit_per_minute=rate * 60)
    started = time.monotonic()
    list(client.purchase_order_items(SINCE, UNTIL))
    elapsed = time.monotonic() - started
    arrivals = [entry.received_at for entry in erp_sim.requests if entry.endpoint == "sap_purchase_orders"]
    intervals = len(arrivals) - 1
    assert intervals >= 10
    # the bucket spaces the requests: the walk cannot be faster than the rate allows, nor much slower
    assert intervals / rate <= elapsed <= intervals / rate + 1.0
    # as the server saw them (loopback jitter moves single arrivals a little, not the average)
    gaps = [later - earlier for earlier, later in pairwise(arrivals)]
    assert sum(gaps) / len(gaps) >= 0.95 / rate, gaps
    assert min(gaps) >= 0.4 / rate, gaps  # without a limit the gaps are a few milliseconds


def test_a_client_under_the_servers_quota_is_never_throttled() -> None:
    with ErpSimulator(seed=5, purchase_orders=70, rate_limit=(10, 1.0)) as simulator:
        limited = sap_for(simulator, page_size=10, rate_limit_per_minute=480)  # 8/s against 10/s
        truth = simulator.dataset.sap_purchase_order_items()
        got = {
            (r["PurchaseOrder"], r["PurchaseOrderItem"])
            for p in limited.purchase_order_items()
            for r in p.records
        }
        assert got == set(truth)
        assert simulator.stats.throttled == 0


def test_a_client_over_the_servers_quota_is_throttled_and_still_complete() -> None:
    with ErpSimulator(seed=5, purchase_orders=60, rate_limit=(3, 1.0)) as simulator:
        eager = sap_for(simulator, page_size=10)
        truth = simulator.dataset.sap_purchase_order_items()
        got = {
            (r["PurchaseOrder"], r["PurchaseOrderItem"])
            for p in eager.purchase_order_items()
            for r in p.records
        }
        assert got == set(truth)
        assert simulator.stats.throttled >= 1


# --- secrets ----------------------------------------------------------------------------------------------


def _secrets(simulator: ErpSimulator) -> list[str]:
    credentials = simulator.credentials
    values = [
        credentials.sap_client_secret,
        credentials.oracle_password,
        credentials.workday_password,
        *simulator.issued_tokens,
    ]
    for user, password in (
        (credentials.sap_client_id, credentials.sap_client_secret),
        (credentials.oracle_username, credentials.oracle_password),
        (credentials.workday_username, credentials.workday_password),
    ):
        values.append(base64.b64encode(f"{user}:{password}".encode()).decode())
    return values


def _text_of(error: BaseException) -> str:
    return "\n".join([str(error), repr(error), *traceback.format_exception(error)])


def test_secrets_never_appear_in_errors_or_logs(
    erp_sim: ErpSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    texts = []
    # SAP: retries, a 401 and a token renewal, then failures for good
    erp_sim.inject("token_expired", 1, after=1)
    erp_sim.inject("server_error", 2, path_contains="A_PurchaseOrder", after=2)
    erp_sim.inject("html", 100, path_contains="A_MatlStkInAcctMod")
    sap = sap_for(erp_sim)
    list(sap.purchase_order_items(SINCE, UNTIL))
    with pytest.raises(ErpHttpError) as failed:
        list(sap_for(erp_sim, max_retries=1).material_stock())
    texts.append(_text_of(failed.value))
    with pytest.raises(ErpAuthError) as refused:
        list(sap_for(erp_sim, client_secret=erp_sim.credentials.sap_client_secret + "x").material_stock())
    texts.append(_text_of(refused.value))
    for system in ("oracle", "workday"):
        client = CLIENTS[system](erp_sim, password=erp_sim.credentials.oracle_password + "-wrong")
        with pytest.raises(ErpAuthError) as denied:
            list(client.worker_headcount() if system == "workday" else client.invoices())
        texts.append(_text_of(denied.value))
        texts.append(repr(CLIENTS[system](erp_sim)))
    texts.append(repr(sap))
    texts.append(caplog.text)
    texts.extend(record.getMessage() for record in caplog.records)
    assert erp_sim.stats.tokens_issued >= 2 and any("renewing the access token" in t for t in texts)
    combined = "\n".join(texts)
    for secret in _secrets(erp_sim):
        assert secret not in combined
    assert "***" in repr(sap)


def test_redactor_masks_known_values_and_patterns() -> None:
    redact = Redactor()
    redact.add("s3cr3t-value")
    text = (
        "Authorization: Bearer eyJhbGciOi.abc.def client_secret=abc123 "
        '{"access_token": "tok-987654"} password=hunter22 s3cr3t-value basic dXNlcjpwYXNz'
    )
    cleaned = redact(text)
    for leaked in ("eyJhbGciOi", "abc123", "tok-987654", "hunter22", "s3cr3t-value", "dXNlcjpwYXNz"):
        assert leaked not in cleaned
    assert (
        parse_retry_after("2") == 2.0
        and parse_retry_after("0.5") == 0.5
        and parse_retry_after("soon") is None
    )
    assert 9 <= parse_retry_after("Sun, 06 Nov 2094 08:49:37 GMT", now=lambda: 3939871767.0) <= 11


# --- Dagster ----------------------------------------------------------------------------------------------


def test_resources_work_in_dagster_with_env_vars(
    erp_sim: ErpSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    credentials = erp_sim.credentials
    monkeypatch.setenv("TEST_ORACLE_USER", credentials.oracle_username)
    monkeypatch.setenv("TEST_ORACLE_PASSWORD", credentials.oracle_password)

    @dg.asset
    def invoice_count(oracle: OracleFusionResource) -> dg.MaterializeResult:
        records = sum(len(page) for page in oracle.invoices(SINCE, UNTIL))
        return dg.MaterializeResult(metadata={"records": records})

    resource = OracleFusionResource(
        base_url=erp_sim.base_url,
        username=dg.EnvVar("TEST_ORACLE_USER"),
        password=dg.EnvVar("TEST_ORACLE_PASSWORD"),
        page_size=25,
    )
    result = dg.materialize([invoice_count], resources={"oracle": resource})
    assert result.success
    event = result.get_asset_materialization_events()[0]
    recorded = event.materialization.metadata["records"].value
    assert recorded == len(erp_sim.dataset.oracle_invoices(SINCE, UNTIL))


def test_defaults_of_the_resources() -> None:
    sap = SapS4HanaResource(base_url="https://sap.example", client_id="id", client_secret="secret")
    assert (sap.rate_limit_per_minute, sap.page_size, sap.token_url) == (100.0, 500, "/oauth/token")
    oracle = OracleFusionResource(base_url="https://oracle.example", username="u", password="p")
    assert (oracle.rate_limit_per_minute, oracle.page_size) == (None, 200)
    workday = WorkdayResource(
        base_url="https://wd.example", tenant="t", report_owner="o", username="u", password="p"
    )
    assert workday.timeout_seconds == 120.0


def _utc_ms(ms: int) -> dt.datetime:
    return dt.datetime(1970, 1, 1, tzinfo=UTC) + dt.timedelta(milliseconds=ms)
