"""Fixtures of the ERP tests: a small simulator per test and clients tuned to fail fast
(tests.helpers.erp)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from greenlang.erp.clients import OracleFusionResource, SapS4HanaResource, WorkdayResource
from simulators.erp import ErpSimulator
from tests.helpers.erp import SMALL_DATASET, oracle_for, sap_for, workday_for


@pytest.fixture
def erp_sim() -> Iterator[ErpSimulator]:
    with ErpSimulator(seed=11, **SMALL_DATASET) as simulator:
        yield simulator


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
