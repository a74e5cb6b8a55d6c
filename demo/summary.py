"""What `make demo` prints once the warehouse is built: where it is and how to query it, what each schema
holds, why a relation is empty, the headline figures, the asset checks and where the ESRS exports are.

The pure functions take what was read (row counts, the dbt lineage, the load ledger, run results) and
return text; ``print_summary`` reads it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg

from greenlang.core.warehouse import Session, Warehouse
from greenlang.esrs.export import EXPORT_KEY
from greenlang.settings import Settings
from greenlang.warehouse.manifest import manifest_path

SUMMARY_SCHEMAS = ("raw", "reference", "staging", "intermediate", "marts", "reporting")
# What a user queries first: these relations are listed one by one, the other schemas in one line each.
LISTED_SCHEMAS = ("marts", "reporting")
QUERY_EXAMPLE = "select * from marts.fct_cbam_imports limit 10;"


@dataclass(frozen=True)
class Relation:
    schema: str
    name: str
    kind: str
    rows: int

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class Delivery:
    """What the load ledger holds for one raw table: its succeeded loads and the rows they read."""

    loads: int
    rows_read: int


def print_summary(
    settings: Settings, results: Sequence[dg.ExecuteInProcessResult], landing_dir: Path, dbt_log: Path
) -> None:
    with Warehouse(settings).session() as session:
        relations = count_relations(session)
        deliveries = read_deliveries(session)
        print(schema_overview(relations))
        print(listed_relations(relations))
        manifest = json.loads(manifest_path(settings.target).read_text(encoding="utf-8"))
        print(explain_empty(relations, relation_parents(manifest), deliveries))
        print(headline(session))
    print(checks_line([check for result in results for check in result.get_asset_check_evaluations()]))
    print(
        "\n"
        + "\n".join(
            [
                where_line(settings),
                f"Query it:        make sql   (e.g. {QUERY_EXAMPLE})",
                exports_line(results),
                f"Landing files:   {landing_dir}",
                f"dbt output:      {dbt_log}",
                "Asset graph, checks and runs: make ui",
            ]
        )
    )


def count_relations(session: Session) -> list[Relation]:
    return [
        Relation(schema, name, kind, session.scalar(f'SELECT count(*) FROM "{schema}"."{name}"'))
        for schema, name, kind in session.relations(SUMMARY_SCHEMAS)
    ]


def read_deliveries(session: Session) -> dict[str, Delivery]:
    rows = session.fetchall(
        "SELECT source, count(*), coalesce(sum(rows_read), 0) FROM raw.load_batch "
        "WHERE status = 'succeeded' GROUP BY source"
    )
    return {source: Delivery(int(loads), int(rows_read)) for source, loads, rows_read in rows}


def schema_overview(relations: Sequence[Relation]) -> str:
    """One line per schema that is not listed relation by relation."""
    lines = ["\nRelations by schema:"]
    for schema in SUMMARY_SCHEMAS:
        if schema in LISTED_SCHEMAS:
            continue
        members = [relation for relation in relations if relation.schema == schema]
        empty = sum(1 for relation in members if relation.rows == 0)
        lines.append(
            f"  {schema:<13} {len(members):>3} relations {sum(r.rows for r in members):>12,} rows"
            + (f"  ({empty} empty)" if empty else "")
        )
    return "\n".join(lines)


def listed_relations(relations: Sequence[Relation]) -> str:
    lines = [f"\n{'mart or report':<55} {'kind':<18} {'rows':>10}"]
    lines.extend(
        f"{relation.qualified:<55} {relation.kind:<18} {relation.rows:>10,}"
        for relation in relations
        if relation.schema in LISTED_SCHEMAS
    )
    return "\n".join(lines)


def relation_parents(manifest: Mapping[str, Any]) -> dict[str, set[str]]:
    """``schema.name`` of every dbt model and seed → the relations it reads (dbt sources included)."""
    names = {
        unique_id: f"{node['schema']}.{node.get('alias') or node.get('identifier') or node['name']}"
        for unique_id, node in [*manifest["nodes"].items(), *manifest["sources"].items()]
    }
    return {
        names[unique_id]: {names[parent] for parent in node["depends_on"].get("nodes", []) if parent in names}
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] in ("model", "seed", "snapshot")
    }


def where_empty_starts(rows: Mapping[str, int], parents: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    """Each empty relation that reads no empty relation (where emptiness starts), with the empty relations
    downstream of it that are empty because of it."""
    empty = {relation for relation, count in rows.items() if count == 0}
    empty_parents = {relation: sorted(set(parents.get(relation, ())) & empty) for relation in empty}
    starts: dict[str, set[str]] = {}

    def origins(relation: str) -> set[str]:
        if relation not in starts:
            starts[relation] = set().union(*map(origins, empty_parents[relation])) or {relation}
        return starts[relation]

    caused: dict[str, list[str]] = {relation: [] for relation in empty if not empty_parents[relation]}
    for relation in sorted(empty, key=_layer_order):
        for origin in sorted(origins(relation)):
            if origin != relation:
                caused[origin].append(relation)
    return dict(sorted(caused.items(), key=lambda item: _layer_order(item[0])))


def why_empty(relation: str, deliveries: Mapping[str, Delivery]) -> str:
    """Why a relation whose inputs all have rows (or that has none) is empty."""
    schema, name = relation.split(".", 1)
    if schema == "raw":
        if name == "dead_letter":
            return "no record was rejected"
        delivery = deliveries.get(name)
        if delivery is None:
            return "nothing was delivered: the demo generates no data for this source"
        if delivery.rows_read:
            return f"its {delivery.loads} load(s) read {delivery.rows_read:,} rows, all rejected (raw.dead_letter)"
        return f"its {delivery.loads} load(s) held no rows"
    if schema == "reference":
        return "the seed file has no rows"
    return "its inputs have rows, but none meets its conditions in the demo data"


def explain_empty(
    relations: Sequence[Relation], parents: Mapping[str, Iterable[str]], deliveries: Mapping[str, Delivery]
) -> str:
    starts = where_empty_starts({relation.qualified: relation.rows for relation in relations}, parents)
    if not starts:
        return "\nNo relation is empty."
    lines = ["\nEmpty relations, and why:"]
    for origin, downstream in starts.items():
        lines.append(f"  {origin}: {why_empty(origin, deliveries)}")
        if downstream:
            lines.append(f"    so also empty: {', '.join(downstream)}")
    return "\n".join(lines)


def _layer_order(relation: str) -> tuple[int, str]:
    schema = relation.split(".", 1)[0]
    return (SUMMARY_SCHEMAS.index(schema) if schema in SUMMARY_SCHEMAS else len(SUMMARY_SCHEMAS), relation)


def where_line(settings: Settings) -> str:
    """Where the warehouse is: the DuckDB file, or the PostgreSQL DSN without its password."""
    if settings.target == "duckdb":
        return f"Warehouse:       DuckDB file {settings.duckdb_path}"
    return f"Warehouse:       PostgreSQL {Warehouse(settings).describe()}"


def exports_line(results: Sequence[dg.ExecuteInProcessResult]) -> str:
    for result in results:
        for event in result.get_asset_materialization_events():
            materialization = event.materialization
            if materialization.asset_key == EXPORT_KEY:
                metadata = materialization.metadata
                return (
                    f"ESRS E1 exports: {metadata['export_dir'].value}  "
                    f"({metadata['documents'].value} documents, <tenant>/<year>/esrs_e1.json and .csv)"
                )
    return f"ESRS E1 exports: not written (the asset {EXPORT_KEY.to_user_string()} did not materialize)"


def checks_line(checks: Sequence[dg.AssetCheckEvaluation]) -> str:
    failed = {
        severity: [
            f"{check.asset_key.to_user_string()}:{check.check_name}"
            for check in checks
            if not check.passed and check.severity == severity
        ]
        for severity in (dg.AssetCheckSeverity.ERROR, dg.AssetCheckSeverity.WARN)
    }
    errors, warnings = failed[dg.AssetCheckSeverity.ERROR], failed[dg.AssetCheckSeverity.WARN]
    passed = len(checks) - len(errors) - len(warnings)
    return (
        f"\nAsset checks: {passed} passed, {len(warnings)} warned{_listed(warnings)}, "
        f"{len(errors)} failed{_listed(errors)}"
    )


def _listed(names: list[str]) -> str:
    return f" {names}" if names else ""


def headline(session: Session) -> str:
    totals = (
        "SELECT count(*) AS files, coalesce(sum(rows_read), 0) AS read, coalesce(sum(rows_loaded), 0) AS loaded, "
        "coalesce(sum(rows_rejected), 0) AS rejected FROM raw.load_batch WHERE status = 'succeeded' "
        "AND coalesce(file_format, '') {} 'jetstream'"
    )
    loads = session.fetch_dicts(totals.format("<>"))[0]
    streamed = session.fetch_dicts(totals.format("="))[0]
    tenants = session.fetch_dicts(
        "SELECT tenant_id, count(*) AS lines, sum(net_mass_tonnes) AS mass, sum(embedded_total) AS emissions, "
        "sum(CASE WHEN emission_method = 'default' THEN net_mass_tonnes ELSE 0 END) AS on_defaults "
        "FROM marts.fct_cbam_imports GROUP BY tenant_id ORDER BY tenant_id"
    )
    lines = [
        f"\nLoaded {loads['files']} files: {loads['read']:,} rows read = {loads['loaded']:,} loaded "
        f"+ {loads['rejected']:,} rejected (raw.dead_letter)",
        f"Streamed {streamed['read']:,} meter readings from NATS JetStream in {streamed['files']} batches "
        f"(one per micro-batch and tenant): "
        f"{streamed['loaded']:,} loaded + {streamed['rejected']:,} rejected (raw.dead_letter)",
        f"\n{'tenant':<16} {'import lines':>12} {'net mass t':>14} {'embedded tCO2e':>16} {'mass on defaults':>17}",
    ]
    for row in tenants:
        lines.append(
            f"{row['tenant_id']:<16} {row['lines']:>12,} {row['mass']:>14,.3f} {row['emissions']:>16,.3f} "
            f"{row['on_defaults'] / row['mass']:>17.1%}"
        )
    inventory = session.fetch_dicts(
        "SELECT tenant_id, reporting_year, scope_1_tco2e, scope_2_location_tco2e, scope_2_market_tco2e, "
        "scope_3_tco2e, total_location_tco2e FROM reporting.rpt_esrs_e1_6_ghg ORDER BY tenant_id, reporting_year"
    )
    lines.append(
        f"\n{'ESRS E1-6, tCO2e':<22} {'Scope 1':>12} {'Scope 2 loc.':>13} {'Scope 2 mkt.':>13} {'Scope 3':>12} "
        f"{'total (loc.)':>13}"
    )
    for row in inventory:
        figures = [row[name] or 0 for name in list(row)[2:]]
        lines.append(
            f"{row['tenant_id'] + ' ' + str(row['reporting_year']):<22} {figures[0]:>12,.3f} {figures[1]:>13,.3f} "
            f"{figures[2]:>13,.3f} {figures[3]:>12,.3f} {figures[4]:>13,.3f}"
        )
    return "\n".join(lines)
