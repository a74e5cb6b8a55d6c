"""Tenant ids: one strict pattern, and a registry of the tenants a deployment serves.

A tenant id is an identity, not a label: it is compared byte for byte by every layer and never trimmed,
re-cased or otherwise rewritten. So a name that could be mistaken for another (``acme-steel `` with a
trailing space, ``Acme-Steel``) is not a tenant id at all, and a valid name still needs registering
(``GREENLANG_TENANTS``, read by ``greenlang.settings``): a folder someone creates in the landing directory
makes no tenant, and an ERP sync for a tenant the registry does not hold fails before its first request.
"""

from __future__ import annotations

import re
from collections.abc import Collection

# Reference data published by authorities is not a tenant's data: it loads once, for everyone.
GLOBAL_TENANT = "global"
# lower-case letters, digits and hyphens, 2 to 63 characters, not starting with a hyphen (a DNS label's
# alphabet: safe in paths, URLs, role names and schema names alike)
TENANT_ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{1,62}")


def invalid_tenant_id(tenant_id: str) -> str | None:
    """Why ``tenant_id`` is not a valid tenant id; None when it is."""
    if TENANT_ID_PATTERN.fullmatch(tenant_id):
        return None
    return (
        f"tenant {tenant_id!r} is not a valid tenant id (2 to 63 lower-case letters, digits or hyphens, "
        "not starting with a hyphen)"
    )


def tenant_refusal(tenant_id: str, registered: Collection[str]) -> str | None:
    """Why nothing may be loaded for ``tenant_id``; None when it is a valid, registered tenant."""
    invalid = invalid_tenant_id(tenant_id)
    if invalid:
        return invalid
    if tenant_id != GLOBAL_TENANT and tenant_id not in registered:
        return (
            f"tenant {tenant_id!r} is not registered: add it to GREENLANG_TENANTS (comma-separated tenant ids) "
            "in the code location's environment"
        )
    return None
