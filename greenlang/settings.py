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
class LineageSettings:
    """Where OpenLineage events go: an HTTP endpoint (a Marquez-style ``/api/v1/lineage`` collector, with an
    optional API key, a secret) and/or a file of one event per line; neither set, none are made."""

    url: str | None = None
    api_key: str | None = None
    file: Path | None = None
    namespace: str = "greenlang"

    @property
    def enabled(self) -> bool:
        return bool(self.url or self.file)


@dataclass(frozen=True)
class ArchiveSettings:
    """Where archived raw partitions go (``greenlang.lifecycle.archive``) and when a raw table's partitions
    leave the hot tables (docs/governance.md, "Retention").

    ``uri``: ``s3://bucket/prefix`` on an S3-compatible object store (``endpoint`` for one that is not AWS,
    e.g. ``http://127.0.0.1:9000``), or a local folder. The access key pair is a secret: it reaches the
    object store's client only, never a log, the manifest or the warehouse (without it the client takes the
    usual AWS chain: environment, profile, instance role). ``retention_days``: per raw table, the days a
    load month stays in the hot table after it ends; a raw table not named is never archived (no default
    retention: it is each deployment's decision, within the legal minimums docs/governance.md lists)."""

    uri: str = ".warehouse/archive"
    endpoint: str | None = None
    region: str = "us-east-1"
    access_key_id: str | None = None
    secret_access_key: str | None = None
    retention_days: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Settings:
    target: str
    duckdb_path: Path
    postgres: PostgresSettings
    landing_dir: Path
    # Apprise URLs, comma-separated, one per alert channel (greenlang/alerts/notifier.py): secrets.
    alert_urls: str | None = None
    # DuckDB caches what it writes up to its memory limit (80 % of RAM by default): bounded here so a
    # large load runs in flat memory beside dbt and Dagster.
    duckdb_memory_limit: str = "1GB"
    # dbt's DuckDB connection (dbt_project/profiles.yml): what it holds before spilling to disk. dbt,
    # Python and the DuckDB catalogue come on top: 3 GB keeps a 10M-line build under 4 GiB of RSS.
    dbt_duckdb_memory_limit: str = "3GB"
    # The tenant whose records each ERP system's configured client reaches (a run may name another in its
    # config): one company's SAP, another's Oracle Fusion.
    erp_tenants: Mapping[str, str] = field(default_factory=lambda: dict.fromkeys(ERP_SYSTEMS, "default"))
    # The tenants this deployment serves (``GREENLANG_TENANTS``, comma-separated) besides the reserved
    # ``global``: a landing folder of any other name is refused (``greenlang.core.tenants``).
    tenants: frozenset[str] = frozenset()
    # Where the ERP clients of every process on this machine count their requests per host, so that
    # parallel steps and runs together keep a server's quota (SAP: 100 requests a minute).
    erp_rate_limit_store: Path = Path(".warehouse/erp-rate-limits.sqlite")
    # The Prometheus exporter's port (python -m greenlang.observe.metrics).
    metrics_port: int = 9108
    lineage: LineageSettings = field(default_factory=LineageSettings)
    # Data quality (docs/quality.md): the latest quality score of a tenant's dataset warns below
    # ``quality_score_warn_below`` (80: the plan's alert level) and fails its check below
    # ``quality_score_floor`` (GREENLANG_QUALITY_SCORE_FLOOR; no standard sets it: a deployment's choice).
    quality_score_warn_below: float = 80.0
    quality_score_floor: float = 50.0
    # A series of a mart's key measure is judged for anomalies from this many days on
    # (GREENLANG_ANOMALY_MIN_POINTS): fewer give the median and MAD too little to stand on.
    anomaly_min_points: int = 14
    # Where ``python -m greenlang.lifecycle.backup create`` writes its backups (one folder each).
    backup_dir: Path = Path(".warehouse/backups")
    # Each tenant's key-encryption key for its personal data (greenlang.core.personal_data): outside the
    # warehouse, so that a backup of the warehouse alone opens nothing and deleting a key shreds.
    key_store: Path = Path(".warehouse/keys")
    # The NATS server of the meter-reading stream (``GREENLANG_NATS_URL``, e.g. nats://127.0.0.1:4222); None:
    # no stream is configured, and its sensor and writer say so instead of guessing a server.
    nats_url: str | None = None
    archive: ArchiveSettings = field(default_factory=ArchiveSettings)
    # The CBAM quarterly report (greenlang.cbam.report_out): a JSON file of what the report needs and the
    # warehouse does not hold (declarant details, registry codes; GREENLANG_CBAM_REPORT_CONFIG), and the
    # folder of the Commission's XSD files (GREENLANG_CBAM_SCHEMA_DIR). Unset: the report asset and the
    # filed-report loader refuse to run and say which to set (docs/cbam.md).
    cbam_report_config: Path | None = None
    cbam_schema_dir: Path | None = None

    def dbt_env(self) -> dict[str, str]:
        """Environment for a dbt subprocess, so dbt sees the same warehouse as the loaders."""
        return {
            **TELEMETRY_OFF,
            "GREENLANG_DUCKDB_PATH": str(self.duckdb_path),
            "GREENLANG_DBT_DUCKDB_MEMORY_LIMIT": self.dbt_duckdb_memory_limit,
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
        alert_urls=env.get("GREENLANG_ALERT_URLS") or None,
        duckdb_memory_limit=env.get("GREENLANG_DUCKDB_MEMORY_LIMIT", "1GB"),
        dbt_duckdb_memory_limit=env.get("GREENLANG_DBT_DUCKDB_MEMORY_LIMIT", "3GB"),
        erp_tenants=_erp_tenants(env),
        tenants=_registered_tenants(env),
        key_store=_absolute(env.get("GREENLANG_KEY_STORE", ".warehouse/keys")),
        erp_rate_limit_store=_absolute(
            env.get("GREENLANG_ERP_RATE_LIMIT_STORE", ".warehouse/erp-rate-limits.sqlite")
        ),
        metrics_port=int(env.get("GREENLANG_METRICS_PORT", "9108")),
        lineage=LineageSettings(
            url=env.get("GREENLANG_LINEAGE_URL") or None,
            api_key=env.get("GREENLANG_LINEAGE_API_KEY") or None,
            file=_optional_path(env, "GREENLANG_LINEAGE_FILE"),
            namespace=env.get("GREENLANG_LINEAGE_NAMESPACE", "greenlang"),
        ),
        quality_score_floor=_score(env, "GREENLANG_QUALITY_SCORE_FLOOR", 50.0),
        anomaly_min_points=int(env.get("GREENLANG_ANOMALY_MIN_POINTS", "14")),
        backup_dir=_absolute(env.get("GREENLANG_BACKUP_DIR", ".warehouse/backups")),
        nats_url=env.get("GREENLANG_NATS_URL") or None,
        archive=ArchiveSettings(
            uri=_archive_uri(env.get("GREENLANG_ARCHIVE_URI", ".warehouse/archive")),
            endpoint=env.get("GREENLANG_ARCHIVE_ENDPOINT") or None,
            region=env.get("GREENLANG_ARCHIVE_REGION", "us-east-1"),
            access_key_id=env.get("GREENLANG_ARCHIVE_ACCESS_KEY_ID") or None,
            secret_access_key=env.get("GREENLANG_ARCHIVE_SECRET_ACCESS_KEY") or None,
            retention_days=_retention_days(env.get("GREENLANG_RETENTION_DAYS", "")),
        ),
        cbam_report_config=_optional_path(env, "GREENLANG_CBAM_REPORT_CONFIG"),
        cbam_schema_dir=_optional_path(env, "GREENLANG_CBAM_SCHEMA_DIR"),
    )


def _archive_uri(uri: str) -> str:
    """An ``s3://`` URI as given; a local folder made absolute like the other paths."""
    return uri if uri.startswith("s3://") else str(_absolute(uri))


def _retention_days(value: str) -> dict[str, int]:
    """``GREENLANG_RETENTION_DAYS`` (``customs__cbam_shipments=1825,meters__readings=400``): raw table → days."""
    retention: dict[str, int] = {}
    for pair in filter(None, (item.strip() for item in value.split(","))):
        table, _, days = (part.strip() for part in pair.partition("="))
        if not table or not days.isdigit():
            raise ValueError(f"GREENLANG_RETENTION_DAYS: {pair!r} is not <raw table>=<days>")
        retention[table] = int(days)
    return retention


def _score(env: Mapping[str, str], name: str, default: float) -> float:
    value = float(env.get(name, default))
    if not 0 <= value <= 100:
        raise ValueError(f"{name}={value:g}: a quality score is between 0 and 100")
    return value


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


def _optional_path(env: Mapping[str, str], name: str) -> Path | None:
    return _absolute(env[name]) if env.get(name) else None


def _absolute(path: str) -> Path:
    candidate = Path(path).expanduser()
    return candidate if candidate.is_absolute() else PROJECT_ROOT / candidate
