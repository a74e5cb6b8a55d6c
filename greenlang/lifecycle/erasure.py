"""Erase a tenant's personal data (GDPR Art. 17) by crypto-shredding: the command of docs/governance.md.

    python -m greenlang.lifecycle.erasure TENANT --confirm

Deletes the tenant's key-encryption key from the key store (``GREENLANG_KEY_STORE``), then the encrypted
originals and the wrapped data key only it could open (``greenlang.core.personal_data``). Every copy of the
originals — in backups, tenant exports and archives alike — becomes unreadable; the pseudonymised rows and
every figure stay as they are.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from greenlang.core.personal_data import KeyStore, erase_tenant_personal_data
from greenlang.core.tenants import invalid_tenant_id
from greenlang.core.warehouse import Warehouse
from greenlang.settings import load_settings


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m greenlang.lifecycle.erasure", description=__doc__.split("\n")[0]
    )
    parser.add_argument("tenant")
    parser.add_argument("--confirm", action="store_true", help="required: the erasure cannot be undone")
    args = parser.parse_args(argv)
    invalid = invalid_tenant_id(args.tenant)
    if invalid:
        parser.error(invalid)
    if not args.confirm:
        parser.error(f"erasing {args.tenant}'s personal data cannot be undone: add --confirm")
    settings = load_settings()
    with Warehouse(settings).session() as session:
        erased = erase_tenant_personal_data(session, KeyStore(settings.key_store), args.tenant)
    print(json.dumps({"tenant_id": args.tenant, **erased}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
