"""The ERP simulator on its own: a seeded dataset, faithful payloads, faults as announced."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
import time
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
import requests

from greenlang.settings import PROJECT_ROOT
from simulators.erp import (
    FAULT_KINDS,
    ORACLE_ROOT,
    SAP_PO_SERVICE,
    SAP_STOCK_SERVICE,
    Dataset,
    DatasetConfig,
    ErpSimulator,
)
from simulators.erp._jsontext import Num, dumps, number
from simulators.erp.dataset import CBAM_GROUPS, to_ms
from tests.helpers.erp import SMALL_DATASET

PO_URL = SAP_PO_SERVICE + "/A_PurchaseOrder"
ODATA_DATE = re.compile(r"^/Date\(\d+\)/$")
ODATA_DATETIMEOFFSET = re.compile(r"^/Date\(\d+\+0000\)/$")


class Api:
    """Raw HTTP against the simulator, with its credentials."""

    def __init__(self, simulator: ErpSimulator):
        self.sim = simulator
        self.session = requests.Session()
        self._token: str | None = None

    def token(self) -> str:
        if self._token is None:
            credentials = self.sim.credentials
            response = self.session.post(
                self.sim.token_url,
                data={"grant_type": "client_credentials"},
                auth=(credentials.sap_client_id, credentials.sap_client_secret),
                timeout=5,
            )
            self._token = response.json()["access_token"]
        return self._token

    def sap(self, path: str, token: str | None = None, **params: str) -> requests.Response:
        headers = {"Authorization": f"Bearer {token or self.token()}"}
        return self.session.get(self.sim.base_url + path, params=params, headers=headers, timeout=5)

    def oracle(self, resource: str, **params: str) -> requests.Response:
        credentials = self.sim.credentials
        auth = (credentials.oracle_username, credentials.oracle_password)
        return self.session.get(
            f"{self.sim.base_url}{ORACLE_ROOT}/{resource}", params=params, auth=auth, timeout=5
        )

    def workday(self, report: str, **params: str) -> requests.Response:
        credentials = self.sim.credentials
        url = f"{self.sim.base_url}/ccx/service/customreport2/{credentials.workday_tenant}/{credentials.workday_owner}/{report}"
        auth = (credentials.workday_username, credentials.workday_password)
        return self.session.get(url, params=params, auth=auth, timeout=5)


@pytest.fixture
def api(erp_sim: ErpSimulator) -> Api:
    return Api(erp_sim)


# --- the dataset ------------------------------------------------------------------------------------------


def _fingerprint(dataset: Dataset) -> str:
    return dumps(
        {
            "sap": [[order.header, order.items] for order in dataset.sap_purchase_orders],
            "stock": dataset.sap_stock,
            "oracle": [[order.header, order.lines] for order in dataset.oracle_purchase_orders],
            "invoices": [invoice.record for invoice in dataset.oracle_invoice_records],
            "headcount": [row for rows in dataset.headcount.values() for row in rows],
            "expenses": [item.record for item in dataset.expense_records],
        }
    )


def test_the_dataset_is_seeded_and_deterministic() -> None:
    config = DatasetConfig(seed=3, **SMALL_DATASET)
    assert _fingerprint(Dataset.generate(config)) == _fingerprint(Dataset.generate(config))
    other = DatasetConfig(seed=4, **SMALL_DATASET)
    assert _fingerprint(Dataset.generate(config)) != _fingerprint(Dataset.generate(other))


def test_the_default_dataset_has_what_the_connectors_meet() -> None:
    dataset = Dataset.generate(DatasetConfig())
    summary = dataset.summary()
    assert summary["sap_purchase_orders"] == 3000 and summary["sap_purchase_order_items"] > 5000
    assert len({order.header["Supplier"] for order in dataset.sap_purchase_orders}) == 40
    items = [item for order in dataset.sap_purchase_orders for item in order.items]
    assert {item["DocumentCurrency"] for item in items} == {"EUR", "USD", "GBP", "CNY", "TRY", "INR"}
    assert {item["PurchaseOrderQuantityUnit"] for item in items} == {"TO", "KG", "ST", "M3", "L"}
    assert set(CBAM_GROUPS) <= {item["MaterialGroup"] for item in items}
    descriptions = " ".join({item["PurchaseOrderItemText"] for item in items})
    for good in ("steel coil", "aluminium ingot", "cement clinker", "Urea fertiliser", "Hydrogen"):
        assert good.lower() in descriptions.lower()
    deleted = [item for item in items if item["PurchasingDocumentDeletionCode"] == "L"]
    assert 0 < len(deleted) < len(items) * 0.1
    assert all(re.fullmatch(r"\d+\.\d{3}", item["OrderQuantity"]) for item in items)
    assert all(re.fullmatch(r"\d+\.\d{2}", item["NetPriceAmount"]) for item in items)
    months = Counter(
        dt.datetime.fromtimestamp(o.change_ms / 1000, dt.UTC).month for o in dataset.sap_purchase_orders
    )
    assert set(months) == set(range(1, 13))  # LastChangeDateTime spread over 2026
    assert all(
        to_ms(dt.datetime(2026, 1, 1)) <= o.change_ms < to_ms(dt.datetime(2027, 1, 1))
        for o in dataset.sap_purchase_orders
    )
    lines = [line for order in dataset.oracle_purchase_orders for line in order.lines]
    assert any(line["Status"] == "CANCELED" for line in lines)
    assert any(invoice.record["CanceledFlag"] is True for invoice in dataset.oracle_invoice_records)
    expenses = [item.record for item in dataset.expense_records]
    assert {item["Expense_Item"] for item in expenses} == {
        "Airfare",
        "Rail",
        "Hotel",
        "Car Rental",
        "Mileage",
    }
    air = [item for item in expenses if item["Expense_Item"] == "Airfare"]
    assert all(
        re.fullmatch(r"[A-Z]{3}", item["Origin"]) and re.fullmatch(r"[A-Z]{3}", item["Destination"])
        for item in air
    )
    assert all("Quantity" in item for item in expenses if item["Expense_Item"] in ("Hotel", "Mileage"))
    rows = dataset.headcount[dataset.headcount_as_of()]
    assert len({row["Location"] for row in rows}) >= 6 and len({row["Cost_Center"] for row in rows}) >= 5


def test_a_small_dataset_still_has_every_cbam_good_and_a_deleted_item() -> None:
    dataset = Dataset.generate(
        DatasetConfig(seed=1, purchase_orders=12, oracle_purchase_orders=5, expense_items=5)
    )
    items = [item for order in dataset.sap_purchase_orders for item in order.items]
    assert set(CBAM_GROUPS) <= {item["MaterialGroup"] for item in items}
    assert any(item["PurchasingDocumentDeletionCode"] == "L" for item in items)
    assert any(
        line["Status"] == "CANCELED" for order in dataset.oracle_purchase_orders for line in order.lines
    )


# --- SAP payloads -----------------------------------------------------------------------------------------


def test_sap_purchase_orders_are_odata_v2(api: Api, erp_sim: ErpSimulator) -> None:
    response = api.sap(
        PO_URL,
        **{"$expand": "to_PurchaseOrderItem", "$top": "2", "$inlinecount": "allpages", "$format": "json"},
    )
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/json")
    document = response.json()["d"]
    assert document["__count"] == str(len(erp_sim.dataset.sap_purchase_orders))
    order = document["results"][0]
    assert order["__metadata"]["type"] == "API_PURCHASEORDER_PROCESS_SRV.A_PurchaseOrderType"
    assert order["__metadata"]["uri"].endswith(f"A_PurchaseOrder('{order['PurchaseOrder']}')")
    assert ODATA_DATETIMEOFFSET.match(order["LastChangeDateTime"]) and ODATA_DATE.match(
        order["PurchaseOrderDate"]
    )
    assert "__deferred" in order["to_PurchaseOrderNote"]
    item = order["to_PurchaseOrderItem"]["results"][0]
    assert item["__metadata"]["type"] == "API_PURCHASEORDER_PROCESS_SRV.A_PurchaseOrderItemType"
    assert isinstance(item["OrderQuantity"], str) and isinstance(item["IsFinallyInvoiced"], bool)
    assert "__deferred" in item["to_ScheduleLine"]
    assert "__next" not in document  # $top=2 is the whole answer
    unexpanded = api.sap(PO_URL, **{"$top": "1", "$format": "json"}).json()["d"]["results"][0]
    assert list(unexpanded["to_PurchaseOrderItem"]) == ["__deferred"]


def test_sap_server_paging_follows_skiptoken() -> None:
    with ErpSimulator(
        seed=2, purchase_orders=55, sap_default_page_size=20, sap_max_page_size=30
    ) as simulator:
        api = Api(simulator)
        seen, url, pages = [], PO_URL + "?$format=json", 0
        while url:
            document = api.session.get(
                url if url.startswith("http") else simulator.base_url + url,
                headers={"Authorization": f"Bearer {api.token()}"},
                timeout=5,
            ).json()["d"]
            seen += [order["PurchaseOrder"] for order in document["results"]]
            url = document.get("__next")
            pages += 1
            if url:
                assert "$skiptoken=" in url
        assert pages == 3 and seen == [order.key for order in simulator.dataset.sap_purchase_orders]
        capped = api.sap(PO_URL, **{"$top": "45", "$format": "json"}).json()["d"]
        assert (
            len(capped["results"]) == 30
            and "$top=45" in capped["__next"]
            and "$skiptoken=30" in capped["__next"]
        )
        rest = api.session.get(
            capped["__next"], headers={"Authorization": f"Bearer {api.token()}"}, timeout=5
        ).json()["d"]
        assert len(rest["results"]) == 15 and "__next" not in rest


def test_sap_filter_orderby_and_errors(api: Api, erp_sim: ErpSimulator) -> None:
    orders = erp_sim.dataset.sap_purchase_orders
    pivot = sorted(order.change_ms for order in orders)[len(orders) // 2]
    moment = dt.datetime.fromtimestamp(pivot / 1000, dt.UTC)
    literal = f"{moment:%Y-%m-%dT%H:%M:%S}.{pivot % 1000:03d}Z"
    params = {
        "$filter": f"LastChangeDateTime ge datetimeoffset'{literal}'",
        "$orderby": "LastChangeDateTime desc",
        "$format": "json",
        "$inlinecount": "allpages",
    }
    document = api.sap(PO_URL, **params).json()["d"]
    expected = sorted(
        (order for order in orders if order.change_ms >= pivot), key=lambda order: -order.change_ms
    )
    assert [order["PurchaseOrder"] for order in document["results"]] == [order.key for order in expected]
    keyed = api.sap(PO_URL, **{"$filter": f"PurchaseOrder gt '{orders[-3].key}'", "$format": "json"}).json()[
        "d"
    ]
    assert [order["PurchaseOrder"] for order in keyed["results"]] == [orders[-2].key, orders[-1].key]
    bad = api.sap(PO_URL, **{"$filter": "LastChangeDateTime ge 'yesterday'", "$format": "json"})
    assert bad.status_code == 400 and "incompatible" in bad.json()["error"]["message"]["value"]
    unknown = api.sap(PO_URL, **{"$filter": "Colour eq 'red'", "$format": "json"})
    assert unknown.status_code == 400 and "Colour" in unknown.json()["error"]["message"]["value"]
    assert api.sap(PO_URL).status_code == 406  # no $format=json: the simulator speaks JSON only


def test_sap_material_stock(api: Api, erp_sim: ErpSimulator) -> None:
    document = api.sap(
        SAP_STOCK_SERVICE + "/A_MatlStkInAcctMod",
        **{"$top": "3", "$skip": "2", "$format": "json", "$inlinecount": "allpages"},
    ).json()["d"]
    assert document["__count"] == str(len(erp_sim.dataset.sap_stock))
    rows = document["results"]
    assert [row["Material"] for row in rows] == [row["Material"] for row in erp_sim.dataset.sap_stock[2:5]]
    assert rows[0]["__metadata"]["type"] == "API_MATERIAL_STOCK_SRV.A_MatlStkInAcctModType"
    assert re.fullmatch(r"-?\d+\.\d{3}", rows[0]["MatlWrhsStkQtyInMatlBaseUnit"])


def test_oauth_token_endpoint_and_bearer_checks(api: Api, erp_sim: ErpSimulator) -> None:
    credentials = erp_sim.credentials
    token = api.session.post(
        erp_sim.token_url,
        data={"grant_type": "client_credentials"},
        auth=(credentials.sap_client_id, credentials.sap_client_secret),
        timeout=5,
    )
    assert token.status_code == 200
    body = token.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 300 and body["access_token"]
    wrong = api.session.post(
        erp_sim.token_url,
        data={"grant_type": "client_credentials"},
        auth=(credentials.sap_client_id, "nope"),
        timeout=5,
    )
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    grant = api.session.post(
        erp_sim.token_url,
        data={"grant_type": "password"},
        auth=(credentials.sap_client_id, credentials.sap_client_secret),
        timeout=5,
    )
    assert grant.status_code == 400
    assert api.session.get(erp_sim.base_url + PO_URL + "?$format=json", timeout=5).status_code == 401
    refused = api.sap(PO_URL, token="forged", **{"$format": "json"})
    assert refused.status_code == 401 and 'error="invalid_token"' in refused.headers["WWW-Authenticate"]
    assert erp_sim.stats.tokens_issued == 1 and erp_sim.stats.unauthorized == 3


def test_tokens_expire() -> None:
    with ErpSimulator(seed=2, purchase_orders=5, token_lifetime=0.3) as simulator:
        api = Api(simulator)
        assert api.sap(PO_URL, **{"$format": "json"}).status_code == 200
        time.sleep(0.4)
        expired = api.sap(PO_URL, **{"$format": "json"})
        assert expired.status_code == 401 and "expired" in expired.headers["WWW-Authenticate"]


# --- Oracle and Workday payloads -------------------------------------------------------------------------


def test_oracle_collections(api: Api, erp_sim: ErpSimulator) -> None:
    document = json.loads(
        api.oracle(
            "purchaseOrders", limit="3", offset="2", totalResults="true", expand="lines", onlyData="true"
        ).text
    )
    assert list(document) == ["items", "totalResults", "count", "hasMore", "limit", "offset"]
    assert (document["count"], document["hasMore"], document["limit"], document["offset"]) == (3, True, 3, 2)
    assert document["totalResults"] == len(erp_sim.dataset.oracle_purchase_orders)
    order = document["items"][0]
    assert isinstance(order["POHeaderId"], int) and isinstance(order["lines"], list) and "links" not in order
    assert {"POLineId", "LineNumber", "Quantity", "UOMCode", "Price", "Status"} <= set(order["lines"][0])
    linked = api.oracle("invoices", limit="1").json()
    assert "links" in linked["items"][0] and "totalResults" not in linked
    assert api.oracle("invoices", limit="100000").json()["limit"] == 500
    last = api.oracle("invoices", offset=str(len(erp_sim.dataset.oracle_invoice_records) - 1)).json()
    assert last["count"] == 1 and last["hasMore"] is False


def test_oracle_q(api: Api, erp_sim: ErpSimulator) -> None:
    invoices = erp_sim.dataset.oracle_invoice_records
    middle = sorted(invoice.change_ms for invoice in invoices)[len(invoices) // 2]
    moment = dt.datetime.fromtimestamp(middle / 1000, dt.UTC)
    since = f"{moment:%Y-%m-%dT%H:%M:%S}.{middle % 1000:03d}+00:00"
    expected = [str(invoice.key) for invoice in invoices if invoice.change_ms >= middle]
    for q in (f"LastUpdateDate>='{since}'", f"LastUpdateDate >= '{since}' and InvoiceId > 0"):
        got = api.oracle("invoices", q=q, limit="500").json()["items"]
        assert [str(item["InvoiceId"]) for item in got] == expected
    bad = api.oracle("invoices", q="Colour='red'")
    assert bad.status_code == 400 and "Colour" in bad.json()["o:errorDetails"][0]["detail"]


def test_workday_reports(api: Api, erp_sim: ErpSimulator) -> None:
    headcount = api.workday("Headcount_by_Location", format="json", As_Of_Date="2026-07-15").json()[
        "Report_Entry"
    ]
    assert {row["Report_Date"] for row in headcount} == {"2026-06-30+02:00"}
    assert all(
        set(row) == {"Report_Date", "Location", "Cost_Center", "Worker_Type", "Headcount", "FTE"}
        for row in headcount
    )
    items = api.workday(
        "Expense_Items", format="json", Start_Date="2026-03-01", End_Date="2026-03-31"
    ).json()["Report_Entry"]
    assert items and all(item["Last_Updated"][:7] in ("2026-03", "2026-04") for item in items)
    assert all(
        re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0[12]:00", item["Last_Updated"])
        for item in items
    )
    missing = api.workday("Expense_Items", format="json")
    assert missing.status_code == 400 and "Start_Date" in missing.json()["error"]
    credentials = erp_sim.credentials
    other = (
        f"{erp_sim.base_url}/ccx/service/customreport2/other_tenant/{credentials.workday_owner}/Expense_Items"
    )
    assert api.session.get(other, timeout=5).status_code == 404
    anonymous = api.session.get(
        f"{erp_sim.base_url}/ccx/service/customreport2/{credentials.workday_tenant}/{credentials.workday_owner}/Expense_Items",
        params={"format": "json"},
        timeout=5,
    )
    assert anonymous.status_code == 401


# --- faults -----------------------------------------------------------------------------------------------


def test_fault_kinds_and_their_validation(erp_sim: ErpSimulator) -> None:
    assert set(FAULT_KINDS) == {
        "rate_limit",
        "server_error",
        "slow",
        "reset",
        "truncated",
        "html",
        "repeat_page",
        "shift",
        "token_expired",
    }
    with pytest.raises(ValueError, match="unknown fault kind"):
        erp_sim.inject("meteor")
    with pytest.raises(ValueError, match="takes no parameter"):
        erp_sim.inject("html", delay=3)


def test_status_faults_at_the_http_level(api: Api, erp_sim: ErpSimulator) -> None:
    erp_sim.inject("rate_limit", 1, path_contains="/invoices", retry_after=7)
    erp_sim.inject("server_error", 3, path_contains="/invoices", status=(500, 502, 503))
    erp_sim.inject("html", 1, path_contains="/invoices")
    erp_sim.inject("truncated", 1, path_contains="/invoices")
    responses = [api.oracle("invoices", limit="5") for _ in range(7)]
    assert [response.status_code for response in responses] == [429, 500, 502, 503, 200, 200, 200]
    assert responses[0].headers["Retry-After"] == "7"
    assert responses[4].headers["Content-Type"].startswith("text/html") and "<html>" in responses[4].text
    truncated = responses[5]
    assert int(truncated.headers["Content-Length"]) == len(truncated.content)
    with pytest.raises(json.JSONDecodeError):
        json.loads(truncated.text)
    assert len(responses[6].json()["items"]) == 5
    stats = erp_sim.stats
    assert stats.injected == Counter({"server_error": 3, "rate_limit": 1, "html": 1, "truncated": 1})
    assert stats.statuses == Counter({200: 3, 500: 1, 502: 1, 503: 1, 429: 1})
    assert [entry.fault for entry in erp_sim.requests] == [
        "rate_limit",
        *["server_error"] * 3,
        "html",
        "truncated",
        None,
    ]


def test_reset_and_slow(api: Api, erp_sim: ErpSimulator) -> None:
    erp_sim.inject("reset", 1)
    with pytest.raises(requests.ConnectionError):
        api.oracle("invoices")
    erp_sim.inject("slow", 1, delay=0.3)
    started = time.monotonic()
    assert api.oracle("invoices").status_code == 200
    assert time.monotonic() - started >= 0.3
    assert erp_sim.stats.injected == Counter({"reset": 1, "slow": 1})


def test_after_and_path_contains(api: Api, erp_sim: ErpSimulator) -> None:
    fault = erp_sim.inject("server_error", 1, path_contains="/invoices", after=2)
    assert api.oracle("purchaseOrders").status_code == 200  # does not match
    statuses = [api.oracle("invoices").status_code for _ in range(4)]
    assert statuses == [200, 200, 503, 200] and fault.applied == 1
    assert api.token()  # the token endpoint matches no fault unless named
    erp_sim.inject("server_error", 1)
    assert api.session.post(erp_sim.token_url, data={}, timeout=5).status_code == 401  # the client is checked
    assert erp_sim.stats.injected["server_error"] == 1


def test_repeat_page(api: Api, erp_sim: ErpSimulator) -> None:
    erp_sim.inject("repeat_page", 1, path_contains="/invoices")
    first = [item["InvoiceId"] for item in api.oracle("invoices", limit="5").json()["items"]]
    second = [item["InvoiceId"] for item in api.oracle("invoices", limit="5", offset="5").json()["items"]]
    assert second == first
    erp_sim.inject("repeat_page", 1, path_contains="/invoices", rows=2)
    third = [item["InvoiceId"] for item in api.oracle("invoices", limit="5", offset="10").json()["items"]]
    keys = [str(invoice.key) for invoice in erp_sim.dataset.oracle_invoice_records]
    assert [str(key) for key in third] == keys[3:5] + keys[
        10:13
    ]  # the previous (repeated) page's last two rows


def test_shift_makes_offset_paging_lose_a_row(api: Api, erp_sim: ErpSimulator) -> None:
    """Why the clients page by key: with limit/offset a row that leaves the window mid-walk moves every
    later row back by one, and one of them is never served."""
    window = "LastUpdateDate>='2026-01-01T00:00:00+00:00';LastUpdateDate<='2026-12-31T00:00:00+00:00'"
    in_window = [
        invoice
        for invoice in erp_sim.dataset.oracle_invoice_records
        if invoice.change_ms < to_ms(dt.datetime(2026, 12, 31))
    ]
    before = {str(invoice.key) for invoice in in_window}
    latest = max(invoice.change_ms for invoice in in_window)
    erp_sim.inject("shift", 1, path_contains="/invoices")
    seen, offset = [], 0
    while True:
        page = api.oracle("invoices", q=window, limit="10", offset=str(offset)).json()
        seen += [str(item["InvoiceId"]) for item in page["items"]]
        offset += page["count"]
        if not page["hasMore"]:
            break
    assert erp_sim.stats.injected["shift"] == 1
    moved = before - {
        str(invoice.key)
        for invoice in erp_sim.dataset.oracle_invoice_records
        if invoice.change_ms < to_ms(dt.datetime(2026, 12, 31))
    }
    assert len(moved) == 1 and moved <= set(seen)  # the moved row had been served already
    lost = before - set(seen)
    assert len(lost) == 1, "offset paging skipped the row that moved into the freed position"
    changed = next(invoice for invoice in erp_sim.dataset.oracle_invoice_records if str(invoice.key) in moved)
    assert changed.change_ms > latest


def test_token_expired_revokes_the_presented_token(api: Api, erp_sim: ErpSimulator) -> None:
    erp_sim.inject("token_expired", 1)
    assert api.sap(PO_URL, **{"$format": "json", "$top": "1"}).status_code == 401
    assert api.sap(PO_URL, **{"$format": "json", "$top": "1"}).status_code == 401  # the same token, revoked
    api._token = None
    assert api.sap(PO_URL, **{"$format": "json", "$top": "1"}).status_code == 200
    assert erp_sim.stats.injected["token_expired"] == 1 and erp_sim.stats.tokens_issued == 2


def test_stats_count_records_served(api: Api, erp_sim: ErpSimulator) -> None:
    api.oracle("invoices", limit="7")
    api.sap(PO_URL, **{"$format": "json", "$top": "4"})
    stats = erp_sim.stats
    assert stats.records["oracle_invoices"] == 7 and stats.records["sap_purchase_orders"] == 4
    assert stats.requests == Counter({"oracle_invoices": 1, "sap_purchase_orders": 1, "sap_token": 1})
    erp_sim.reset_stats()
    assert erp_sim.stats.total_requests == 0 and erp_sim.requests == []


def test_only_loopback() -> None:
    with pytest.raises(ValueError, match=r"127\.0\.0\.1"):
        ErpSimulator(host="0.0.0.0")


def test_numbers_keep_their_text() -> None:
    assert (
        dumps({"a": Num("612.50"), "b": [True, None, 3], "c": 'x"y'})
        == '{"a":612.50,"b":[true,null,3],"c":"x\\"y"}'
    )
    assert number(Decimal("612.500")) == "612.5" and number(Decimal("25.000")) == "25" and number(-3) == "-3"


def test_command_line() -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "simulators.erp",
            "--port",
            "0",
            "--purchase-orders",
            "20",
            "--expense-items",
            "10",
        ],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", base_url)
        info: list[str] = []
        for line in process.stdout:
            info.append(line)
            if line.startswith("}"):
                break
        details: dict[str, Any] = json.loads("".join(info).split(":", 1)[1])
        assert details["dataset"]["sap_purchase_orders"] == 20
        token = requests.post(
            details["sap"]["token_url"],
            data={"grant_type": "client_credentials"},
            auth=(details["sap"]["client_id"], details["sap"]["client_secret"]),
            timeout=5,
        )
        assert token.status_code == 200
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
