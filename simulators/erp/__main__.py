"""``python -m simulators.erp --port 8765``: serve the simulated ERP APIs on 127.0.0.1 until interrupted.

The first line printed is the base URL; then the credentials (the simulator's own, made from the seed)
and a summary of the dataset.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from typing import Any

from simulators.erp.server import (
    ORACLE_ROOT,
    SAP_PO_SERVICE,
    SAP_STOCK_SERVICE,
    TOKEN_PATH,
    WORKDAY_ROOT,
    ErpSimulator,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulators.erp", description=__doc__)
    parser.add_argument("--port", type=int, default=8765, help="TCP port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--purchase-orders", type=int, default=3000, help="SAP purchase orders")
    parser.add_argument("--suppliers", type=int, default=40)
    parser.add_argument("--oracle-purchase-orders", type=int, default=1000)
    parser.add_argument("--oracle-invoices", type=int, default=1500)
    parser.add_argument("--expense-items", type=int, default=2000)
    parser.add_argument(
        "--token-lifetime", type=float, default=300, help="SAP access token lifetime, seconds"
    )
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    simulator = ErpSimulator(
        args.seed,
        purchase_orders=args.purchase_orders,
        suppliers=args.suppliers,
        oracle_purchase_orders=args.oracle_purchase_orders,
        oracle_invoices=args.oracle_invoices,
        expense_items=args.expense_items,
        port=args.port,
        token_lifetime=args.token_lifetime,
        verbose=args.verbose,
    ).start()
    signal.signal(signal.SIGTERM, lambda *_: simulator._stopping.set())
    credentials = simulator.credentials
    base = simulator.base_url
    info: dict[str, Any] = {
        "sap": {
            "token_url": base + TOKEN_PATH,
            "client_id": credentials.sap_client_id,
            "client_secret": credentials.sap_client_secret,
            "purchase_orders": base + SAP_PO_SERVICE + "/A_PurchaseOrder",
            "material_stock": base + SAP_STOCK_SERVICE + "/A_MatlStkInAcctMod",
        },
        "oracle": {
            "username": credentials.oracle_username,
            "password": credentials.oracle_password,
            "purchase_orders": base + ORACLE_ROOT + "/purchaseOrders",
            "invoices": base + ORACLE_ROOT + "/invoices",
        },
        "workday": {
            "tenant": credentials.workday_tenant,
            "report_owner": credentials.workday_owner,
            "username": credentials.workday_username,
            "password": credentials.workday_password,
            "reports": base + f"{WORKDAY_ROOT}/{credentials.workday_tenant}/{credentials.workday_owner}/",
        },
        "dataset": simulator.dataset.summary(),
    }
    print(base, flush=True)
    print("simulated credentials (not secrets):", json.dumps(info, indent=2, ensure_ascii=False), flush=True)
    simulator.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
