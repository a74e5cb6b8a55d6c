"""ERP clients (Dagster resources): SAP S/4HANA (OData V2), Oracle Fusion (REST), Workday (RaaS).

Each yields ``Page(records, url, total)`` per request (``greenlang.core.api_client``); all share one HTTP layer
(``greenlang.core.http``: rate limit, Retry-After, backoff with jitter, timeouts, clear errors, secrets
redacted). See docs/design.md, "ERP connectors".
"""

from greenlang.core.api_client import ErpResource, Page, utc_window
from greenlang.core.http import ErpAuthError, ErpError, ErpHttpError, InvalidResponse, RequestRateLimit
from greenlang.erp.clients.oracle import OracleFusionResource
from greenlang.erp.clients.sap import SapS4HanaResource
from greenlang.erp.clients.workday import WorkdayResource

__all__ = [
    "ErpAuthError",
    "ErpError",
    "ErpHttpError",
    "ErpResource",
    "InvalidResponse",
    "OracleFusionResource",
    "Page",
    "RequestRateLimit",
    "SapS4HanaResource",
    "WorkdayResource",
    "utc_window",
]
