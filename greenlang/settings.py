"""The one place environment variables are read.

``GREENLANG_TARGET`` picks the warehouse for dbt (passed as ``--target``) and for the Python loaders
alike; everything else here is connection detail. Nothing else in the code base reads ``os.environ``
for configuration (Dagster resources receive these values, secrets as ``EnvVar``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from greenlang.core.tenants import invalid_tenant_id

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
TARGETS = ("duckdb", "postgres", "snowflake")
ERP_SYSTEMS = ("sap", "oracle", "workday")

# dbt and Dagster send usage telemetry unless told not to; the warehouse turns both off by default.
TELEMETRY_OFF = {
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "DO_NOT_TRACK": "1",
    "GX_ANALYTICS_ENABLED": "false",
}


@dataclass(frozen=True)
class PostgresSettings:
    host: str
    port: int
    user: str
    password: str
    database: str

    def conninfo(self, database: str | None = None) -> str:
        parts = {
            "host": self.host,
            "port": str(self.port),
            "user": self.user,
            "dbname": database or self.database,
        }
        if self.password:
            parts["password"] = self.password
        return " ".join(f"{key}={value}" for key, value in parts.items())


@dataclass(frozen=True)
class Settings:
    target: str
    duckdb_path: Path
    postgres: PostgresSettings
    landing_dir: Path
    alert_webhook_url: str | None
    # DuckDB caches what it writes up to its memory limit (80 % of RAM by default): bounded here so a
    # large load runs in flat memory beside dbt and Dagster.
    duckdb_memory_limit: str = "1GB"
    # The tenant whose records each ERP system's configured client reaches (a run may name another in its
    # config): one company's SAP, another's Oracle Fusion.
    erp_tenants: Mapping[str, str] = field(default_factory=lambda: dict.fromkeys(ERP_SYSTEMS, "default"))
    # The tenants this deployment serves (``GREENLANG_TENANTS``, comma-separated) besides the reserved
    # ``global``: a landing folder of any other name is refused (``greenlang.core.tenants``).
    tenants: frozenset[str] = frozenset()
    # The NATS server of the meter-reading stream (``GREENLANG_NATS_URL``, e.g. nats://127.0.0.1:4222); None:
    # no stream is configured, and its sensor and writer say so instead of guessing a server.
    nats_url: str | None = None

    def dbt_env(self) -> dict[str, str]:
        """Environment for a dbt subprocess, so dbt sees the same warehouse as the loaders."""
        return {
            **TELEMETRY_OFF,
            "GREENLANG_DUCKDB_PATH": str(self.duckdb_path),
            "GREENLANG_PG_HOST": self.postgres.host,
            "GREENLANG_PG_PORT": str(self.postgres.port),
            "GREENLANG_PG_USER": self.postgres.user,
            "GREENLANG_PG_PASSWORD": self.postgres.password,
            "GREENLANG_PG_DATABASE": self.postgres.database,
        }


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    target = env.get("GREENLANG_TARGET", "duckdb")
    if target not in TARGETS:
        raise ValueError(f"GREENLANG_TARGET={target!r}: expected one of {', '.join(TARGETS)}")
    return Settings(
        target=target,
        duckdb_path=_absolute(env.get("GREENLANG_DUCKDB_PATH", ".warehouse/greenlang.duckdb")),
        postgres=PostgresSettings(
            host=env.get("GREENLANG_PG_HOST", "127.0.0.1"),
            port=int(env.get("GREENLANG_PG_PORT", "5432")),
            user=env.get("GREENLANG_PG_USER", "root"),
            password=env.get("GREENLANG_PG_PASSWORD", ""),
            database=env.get("GREENLANG_PG_DATABASE", "greenlang"),
        ),
        landing_dir=_absolute(env.get("GREENLANG_LANDING_DIR", ".warehouse/landing")),
        alert_webhook_url=env.get("GREENLANG_ALERT_WEBHOOK_URL") or None,
        duckdb_memory_limit=env.get("GREENLANG_DUCKDB_MEMORY_LIMIT", "1GB"),
        erp_tenants=_erp_tenants(env),
        tenants=_registered_tenants(env),
        nats_url=env.get("GREENLANG_NATS_URL") or None,
    )


def _registered_tenants(env: Mapping[str, str]) -> frozenset[str]:
    """``GREENLANG_TENANTS`` (``acme-steel,nordic-cement``); a name that is no valid tenant id stops the
    start-up rather than being refused file by file."""
    names = [name.strip() for name in env.get("GREENLANG_TENANTS", "").split(",") if name.strip()]
    for name in names:
        invalid = invalid_tenant_id(name)
        if invalid:
            raise ValueError(f"GREENLANG_TENANTS: {invalid}")
    return frozenset(names)


def _erp_tenants(env: Mapping[str, str]) -> dict[str, str]:
    """``GREENLANG_ERP_TENANT`` for every ERP system, overridden per system by ``GREENLANG_ERP_TENANTS``
    (``sap=acme-steel,oracle=nordic-cement``)."""
    tenants = dict.fromkeys(ERP_SYSTEMS, env.get("GREENLANG_ERP_TENANT", "default"))
    for pair in filter(None, (item.strip() for item in env.get("GREENLANG_ERP_TENANTS", "").split(","))):
        system, _, tenant = (part.strip() for part in pair.partition("="))
        if system not in tenants or not tenant:
            raise ValueError(
                f"GREENLANG_ERP_TENANTS: {pair!r} is not <system>=<tenant> with a system of {', '.join(ERP_SYSTEMS)}"
            )
        tenants[system] = tenant
    return tenants


def _absolute(path: str) -> Path:
    candidate = Path(path).expanduser()
    return candidate if candidate.is_absolute() else PROJECT_ROOT / candidate
