"""ERP clients (Dagster resources): SAP S/4HANA (OData V2), Oracle Fusion (REST), Workday (RaaS).

Each yields ``Page(records, url, total)`` per request (``resources.erp.base``); all share one HTTP layer
(``resources.erp.http``: rate limit, Retry-After, backoff with jitter, timeouts, clear errors, secrets
redacted). See docs/design.md, "ERP connectors".
"""

from resources.erp.base import ErpResource, Page, utc_window
from resources.erp.http import ErpAuthError, ErpError, ErpHttpError, InvalidResponse, TokenBucket
from resources.erp.oracle import OracleFusionResource
from resources.erp.sap import SapS4HanaResource
from resources.erp.workday import WorkdayResource

__all__ = [
    "ErpAuthError",
    "ErpError",
    "ErpHttpError",
    "ErpResource",
    "InvalidResponse",
    "OracleFusionResource",
    "Page",
    "SapS4HanaResource",
    "TokenBucket",
    "WorkdayResource",
    "utc_window",
]
