"""The demo's ERPs: the local simulator, the environment that points the clients at it, whose tenant
each system belongs to, and `python -m demo.erp` to sync every ERP entity once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg

from demo.catalogue import TENANTS
from demo.environment import environment
from simulators.erp import ErpSimulator

# A past year, so that every change in the simulated ERPs lies before "now".
DEMO_YEAR = 2025
# Whose ERP is whose (dbt seeds material_cn_codes, supplier_installations): Acme Steel runs SAP and
# Workday, Nordic Cement runs Oracle Fusion.
TENANT_BY_SYSTEM = {"sap": "acme-steel", "oracle": "nordic-cement", "workday": "acme-steel"}


def erp_environment(sim: ErpSimulator) -> dict[str, str]:
    credentials, base = sim.credentials, sim.base_url
    return {
        "GREENLANG_SAP_BASE_URL": base,
        "GREENLANG_SAP_CLIENT_ID": credentials.sap_client_id,
        "GREENLANG_SAP_CLIENT_SECRET": credentials.sap_client_secret,
        "GREENLANG_ORACLE_BASE_URL": base,
        "GREENLANG_ORACLE_USERNAME": credentials.oracle_username,
        "GREENLANG_ORACLE_PASSWORD": credentials.oracle_password,
        "GREENLANG_WORKDAY_BASE_URL": base,
        "GREENLANG_WORKDAY_TENANT": credentials.workday_tenant,
        "GREENLANG_WORKDAY_REPORT_OWNER": credentials.workday_owner,
        "GREENLANG_WORKDAY_USERNAME": credentials.workday_username,
        "GREENLANG_WORKDAY_PASSWORD": credentials.workday_password,
        # the demo's tenants, registered: a landing folder of any other name is refused
        "GREENLANG_TENANTS": ",".join(sorted({*TENANTS, *TENANT_BY_SYSTEM.values()})),
        # the sensor of a code location started in this environment (make ui) watches the demo's tenants
        "GREENLANG_ERP_TENANTS": ",".join(
            f"{system}={tenant}" for system, tenant in TENANT_BY_SYSTEM.items()
        ),
    }


@contextmanager
def running_erps(**sizes: int) -> Iterator[ErpSimulator]:
    """The simulated ERPs on 127.0.0.1, with the clients' environment pointing at them meanwhile."""
    with ErpSimulator(seed=42, year=DEMO_YEAR, **sizes) as sim, environment(erp_environment(sim)):
        yield sim


def main() -> int:
    with running_erps():
        from greenlang.definitions import defs

        with dg.DagsterInstance.get() as instance:
            job = defs.resolve_job_def("erp_sync")
            result = job.execute_in_process(instance=instance, raise_on_error=False)
    return 0 if result.success else 1


if __name__ == "__main__":
    raise SystemExit(main())
