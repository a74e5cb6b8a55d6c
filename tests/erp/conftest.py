"""Fixtures of the ERP tests: a small simulator per test and clients tuned to fail fast.

Small datasets, small pages (several pages per window), a 0.5 s read timeout and 10–50 ms backoffs keep
the fault tests quick; the client-side rate limit is off unless a test sets it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from greenlang.erp.clients import OracleFusionResource, SapS4HanaResource, WorkdayResource
from simulators.erp import ErpSimulator

UTC = dt.UTC
# A window of most of the simulated year: several pages of every entity, and records outside it too.
SINCE = dt.datetime(2026, 2, 1, tzinfo=UTC)
UNTIL = dt.datetime(2026, 10, 1, 12, 30, tzinfo=UTC)

SMALL_DATASET: dict[str, Any] = {
    "purchase_orders": 120,
    "suppliers": 40,
    "oracle_purchase_orders": 80,
    "oracle_invoices": 90,
    "expense_items": 150,
    "workers": 40,
}
FAST: dict[str, Any] = {
    "timeout_seconds": 0.5,
    "max_retries": 4,
    "backoff_initial_seconds": 0.01,
    "backoff_max_seconds": 0.05,
    "rate_limit_per_minute": None,
}


@pytest.fixture
def erp_sim() -> Iterator[ErpSimulator]:
    with ErpSimulator(seed=11, **SMALL_DATASET) as simulator:
        yield simulator


def sap_for(simulator: ErpSimulator, **overrides: Any) -> SapS4HanaResource:
    credentials = simulator.credentials
    settings = {
        "base_url": simulator.base_url,
        "client_id": credentials.sap_client_id,
        "client_secret": credentials.sap_client_secret,
        "page_size": 15,
        **FAST,
        **overrides,
    }
    return SapS4HanaResource(**settings)


def oracle_for(simulator: ErpSimulator, **overrides: Any) -> OracleFusionResource:
    credentials = simulator.credentials
    settings = {
        "base_url": simulator.base_url,
        "username": credentials.oracle_username,
        "password": credentials.oracle_password,
        "page_size": 12,
        **FAST,
        **overrides,
    }
    return OracleFusionResource(**settings)


def workday_for(simulator: ErpSimulator, **overrides: Any) -> WorkdayResource:
    credentials = simulator.credentials
    settings = {
        "base_url": simulator.base_url,
        "tenant": credentials.workday_tenant,
        "report_owner": credentials.workday_owner,
        "username": credentials.workday_username,
        "password": credentials.workday_password,
        "expense_chunk_days": 45,
        **FAST,
        **overrides,
    }
    return WorkdayResource(**settings)


@pytest.fixture
def sap_client(erp_sim: ErpSimulator) -> Iterator[SapS4HanaResource]:
    client = sap_for(erp_sim)
    yield client
    client.close()


@pytest.fixture
def oracle_client(erp_sim: ErpSimulator) -> Iterator[OracleFusionResource]:
    client = oracle_for(erp_sim)
    yield client
    client.close()


@pytest.fixture
def workday_client(erp_sim: ErpSimulator) -> Iterator[WorkdayResource]:
    client = workday_for(erp_sim)
    yield client
    client.close()
