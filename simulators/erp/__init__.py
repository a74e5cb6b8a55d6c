"""A simulator of the three ERP APIs the warehouse reads — a real HTTP server on 127.0.0.1.

- SAP S/4HANA Cloud, OData V2: ``API_PURCHASEORDER_PROCESS_SRV/A_PurchaseOrder`` (``$expand``,
  ``$filter``, ``$orderby``, ``$top``/``$skip``, ``$skiptoken`` server paging with ``__next``,
  ``$inlinecount``) and ``API_MATERIAL_STOCK_SRV/A_MatlStkInAcctMod``; OAuth 2.0 client credentials
  at ``POST /oauth/token`` (basic auth of the client id and secret), bearer tokens with a short,
  configurable lifetime.
- Oracle Fusion Cloud ERP REST 11.13.18.05: ``purchaseOrders`` (``expand=lines``) and ``invoices``
  with ``q``, ``orderBy``, ``limit``/``offset``, ``totalResults``, ``onlyData``; basic auth.
- Workday RaaS: ``customreport2/<tenant>/<owner>/Headcount_by_Location`` and ``Expense_Items``
  (prompts ``Start_Date``/``End_Date``, tenant-local dates of ``Last_Updated``); basic auth.

Usage::

    with ErpSimulator(seed=7, purchase_orders=300) as sim:
        sim.inject("rate_limit", count=2, retry_after=1)
        ... sim.base_url, sim.credentials, sim.dataset.sap_purchase_order_items(since, until) ...
        sim.stats.injected["rate_limit"] == 2

Command line: ``python -m simulators.erp --port 8765``.
"""

from simulators.erp._jsontext import Num
from simulators.erp.dataset import Dataset, DatasetConfig
from simulators.erp.faults import FAULT_KINDS, Fault
from simulators.erp.server import (
    ORACLE_ROOT,
    SAP_PO_SERVICE,
    SAP_STOCK_SERVICE,
    TOKEN_PATH,
    WORKDAY_ROOT,
    Credentials,
    ErpSimulator,
    Served,
    Stats,
)

__all__ = [
    "FAULT_KINDS",
    "ORACLE_ROOT",
    "SAP_PO_SERVICE",
    "SAP_STOCK_SERVICE",
    "TOKEN_PATH",
    "WORKDAY_ROOT",
    "Credentials",
    "Dataset",
    "DatasetConfig",
    "ErpSimulator",
    "Fault",
    "Num",
    "Served",
    "Stats",
]
