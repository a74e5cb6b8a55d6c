"""Impact: which fact rows and reports depend on a raw batch or on a factor version.

    python -m greenlang.observe.impact --batch BATCH_ID
    python -m greenlang.observe.impact --factor-version PUBLISHER/EDITION/VERSION   (e.g. AIB/2024/1.1)

SQL over the provenance the marts carry (docs/architecture.md, "Provenance"): a mart row names the batch its
record came in (``_batch_id``), and a fact names the versioned factor row it used (``FACTOR_REFERENCES``).
A batch reaches the marts rows it delivered and, when it delivered factors (emission factors, CBAM default
values), the facts that use them; an emission factor version (publisher, edition and version of
``dim_emission_factor``) reaches the facts that use its rows. The reports are those downstream of the marts reached,
in the dbt manifest (the ``rpt_`` relations and the dashboards, dbt exposures). For a batch whose rows were
archived (``greenlang.lifecycle.archive``), the output names the archive that holds them.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from greenlang.core.warehouse import Session, Warehouse, archived_batch_location
from greenlang.settings import load_settings
from greenlang.warehouse.manifest import manifest_path

MARTS_SCHEMA = "marts"


@dataclass(frozen=True)
class FactorReference:
    """A fact's foreign key to a versioned factor dimension."""

    dimension: str
    key: str
    fact: str
    fact_key: str


EMISSION_FACTORS = FactorReference(
    "dim_emission_factor", "emission_factor_id", "fct_ghg_emissions", "emission_factor_id"
)
FACTOR_REFERENCES = (
    EMISSION_FACTORS,
    FactorReference("dim_cbam_default_value", "default_value_id", "fct_cbam_imports", "default_value_id"),
)
# What names one version of a publication's emission factors in dim_emission_factor.
FACTOR_VERSION_COLUMNS = ("publisher", "edition", "version")


@dataclass
class Impact:
    """Rows per (mart, tenant) and the reports downstream of those marts."""

    rows: dict[tuple[str, str], int] = field(default_factory=dict)
    reports: list[str] = field(default_factory=list)

    def add(self, relation: str, counts: list[tuple[str, int]]) -> None:
        for tenant, count in counts:
            key = (relation, tenant)
            self.rows[key] = self.rows.get(key, 0) + int(count)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": [
                {"relation": relation, "tenant_id": tenant, "rows": count}
                for (relation, tenant), count in sorted(self.rows.items())
            ],
            "reports": self.reports,
        }


def _columns(session: Session) -> dict[str, set[str]]:
    """The marts' relations and their columns, as the warehouse has them."""
    columns: dict[str, set[str]] = {}
    for table, column in session.fetchall(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = %(schema)s",
        {"schema": MARTS_SCHEMA},
    ):
        columns.setdefault(table, set()).add(column)
    return columns


def _count_by_tenant(
    session: Session, table: str, where: str, params: dict[str, Any]
) -> list[tuple[str, int]]:
    return session.fetchall(
        f"SELECT tenant_id, count(*) FROM {MARTS_SCHEMA}.{table} WHERE {where} GROUP BY tenant_id ORDER BY 1",
        params,
    )


def _facts_using(session: Session, reference: FactorReference, selection: str, params: dict[str, Any]):
    return _count_by_tenant(
        session,
        reference.fact,
        f"{reference.fact_key} IN (SELECT {reference.key} FROM {MARTS_SCHEMA}.{reference.dimension} "
        f"WHERE {selection})",
        params,
    )


def batch_impact(session: Session, manifest: Mapping[str, Any], batch_id: str) -> Impact:
    impact = Impact()
    columns = _columns(session)
    params = {"batch_id": batch_id}
    for table in sorted(name for name, names in columns.items() if {"_batch_id", "tenant_id"} <= names):
        impact.add(table, _count_by_tenant(session, table, "_batch_id = %(batch_id)s", params))
    for reference in FACTOR_REFERENCES:
        if reference.dimension in columns and reference.fact in columns:
            impact.add(reference.fact, _facts_using(session, reference, "_batch_id = %(batch_id)s", params))
    impact.reports = downstream_reports(manifest, {relation for relation, _ in impact.rows})
    return impact


def factor_version_impact(
    session: Session, manifest: Mapping[str, Any], publisher: str, edition: str, version: str
) -> Impact:
    impact = Impact()
    selection = " AND ".join(f"{column} = %({column})s" for column in FACTOR_VERSION_COLUMNS)
    params = {"publisher": publisher, "edition": edition, "version": version}
    impact.add(EMISSION_FACTORS.fact, _facts_using(session, EMISSION_FACTORS, selection, params))
    impact.reports = downstream_reports(manifest, {relation for relation, _ in impact.rows})
    return impact


def downstream_reports(manifest: Mapping[str, Any], marts: set[str]) -> list[str]:
    """The ``rpt_`` models and exposures that depend, directly or not, on the models named ``marts``."""
    children: dict[str, list[str]] = {}
    for unique_id, node in [*manifest["nodes"].items(), *manifest.get("exposures", {}).items()]:
        for parent in node.get("depends_on", {}).get("nodes", []):
            children.setdefault(parent, []).append(unique_id)
    frontier = [
        unique_id
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["name"] in marts
    ]
    reached: set[str] = set()
    while frontier:
        for child in children.get(frontier.pop(), []):
            if child not in reached:
                reached.add(child)
                frontier.append(child)
    everything = {**manifest["nodes"], **manifest.get("exposures", {})}
    return sorted(
        f"exposure:{everything[unique_id]['name']}"
        if everything[unique_id]["resource_type"] == "exposure"
        else f"{everything[unique_id]['schema']}.{everything[unique_id]['name']}"
        for unique_id in reached
        if everything[unique_id]["resource_type"] == "exposure"
        or everything[unique_id]["name"].startswith("rpt_")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    chosen = parser.add_mutually_exclusive_group(required=True)
    chosen.add_argument("--batch", help="a batch id of raw.load_batch")
    chosen.add_argument(
        "--factor-version", help="a version of dim_emission_factor or publication of dim_cbam_default_value"
    )
    arguments = parser.parse_args(argv)
    settings = load_settings()
    manifest = json.loads(manifest_path(settings.target).read_text())
    with Warehouse(settings).session(read_only=True) as session:
        if arguments.batch:
            impact = batch_impact(session, manifest, arguments.batch).as_dict()
            # the batch's own rows: in its raw table, or archived (python -m greenlang.lifecycle.archive trace)
            impact["archived"] = archived_batch_location(session, arguments.batch)
        else:
            publisher, edition, version = arguments.factor_version.split("/")
            impact = factor_version_impact(session, manifest, publisher, edition, version).as_dict()
    print(json.dumps(impact, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
