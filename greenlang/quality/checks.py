"""The data-quality checks (docs/quality.md), each one step over the assets it judges:

- ``quality_score_above_thresholds`` on the scorecard: the latest score of every (tenant, dataset) warns
  below ``quality_score_warn_below`` (80) and fails below ``quality_score_floor`` (settings);
- ``schema_drift`` on every raw table: the loads whose header differed from the previous delivery of the
  source and tenant or from the contract (``raw.load_batch.schema_drift``, written by the load), warning;
- ``measure_anomalies`` on three marts: daily energy per meter, daily emissions per source and tenant,
  daily spend per supplier, judged by the modified z-score (``greenlang.quality.anomaly``), warning;
- ``column_schema_change`` on every mart: Dagster's check, comparing the column schemas the dbt step
  records on its two latest materializations (``greenlang.warehouse.dbt``).

Volume is a dbt test (``int_quality__daily_volume``), so it runs in SQL on every engine with the model.
"""

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import dagster as dg

from greenlang.core.loader import SourceSpec
from greenlang.core.warehouse import RAW_SCHEMA, WAREHOUSE_POOL, Session, WarehouseResource
from greenlang.ingest.assets import raw_asset_key
from greenlang.quality.anomaly import MODIFIED_Z_THRESHOLD, daily_anomalies

SCORECARD_KEY = dg.AssetKey(["reporting", "rpt_data_quality_scorecard"])
SCORECARD_RELATION = "reporting.rpt_data_quality_scorecard"


@dataclass(frozen=True)
class Measure:
    """A key measure of a mart, as daily series: one per ``series`` key, ``value`` summed per ``day``."""

    mart: str
    label: str
    series: tuple[str, ...]
    day: str
    value: str
    where: str = "1 = 1"

    @property
    def key(self) -> dg.AssetKey:
        return dg.AssetKey(["marts", self.mart])

    def sql(self) -> str:
        keys = ", ".join(self.series)
        return (
            f"SELECT {keys}, {self.day} AS day, sum({self.value}) AS value FROM marts.{self.mart} "
            f"WHERE {self.where} AND {self.day} IS NOT NULL AND {self.value} IS NOT NULL "
            f"GROUP BY {keys}, {self.day} ORDER BY {keys}, {self.day}"
        )


MEASURES = (
    Measure(
        "fct_energy_consumption",
        "daily energy per meter, kWh",
        ("tenant_id", "meter_id"),
        "consumption_date",
        "consumption_kwh",
    ),
    # Scope 2 counted once, on the location basis (GHG Protocol Scope 2 Guidance: two bases of one use)
    Measure(
        "fct_ghg_emissions",
        "daily emissions per source and tenant, tCO2e",
        ("tenant_id", "activity_source"),
        "activity_date",
        "emissions_tco2e",
        "method <> 'market_based'",
    ),
    Measure(
        "fct_purchase_lines",
        "daily spend per supplier, EUR",
        ("tenant_id", "supplier_key"),
        "order_date",
        "net_amount_eur",
        "NOT is_deleted",
    ),
)


# --- quality score -------------------------------------------------------------------------------------


def latest_scores(session: Session) -> list[dict[str, Any]]:
    """The latest scorecard row of every (tenant, dataset)."""
    return session.fetch_dicts(
        f"""
        SELECT s.tenant_id, s.dataset, s.score_date, s.quality_score
        FROM {SCORECARD_RELATION} AS s
        JOIN (SELECT tenant_id, dataset, max(score_date) AS score_date FROM {SCORECARD_RELATION}
              GROUP BY tenant_id, dataset) AS latest
          ON latest.tenant_id = s.tenant_id AND latest.dataset = s.dataset AND latest.score_date = s.score_date
        ORDER BY s.tenant_id, s.dataset
        """
    )


def score_verdict(
    rows: Sequence[dict[str, Any]], warn_below: float, fail_below: float
) -> dg.AssetCheckResult:
    """Fails (ERROR) when a latest score is below ``fail_below``, warns when one is below ``warn_below``."""
    failing = [row for row in rows if float(row["quality_score"]) < fail_below]
    warning = [row for row in rows if fail_below <= float(row["quality_score"]) < warn_below]
    listed = [
        {
            "tenant_id": row["tenant_id"],
            "dataset": row["dataset"],
            "score_date": str(row["score_date"]),
            "quality_score": float(row["quality_score"]),
        }
        for row in (*failing, *warning)
    ]
    return dg.AssetCheckResult(
        passed=not failing and not warning,
        severity=dg.AssetCheckSeverity.ERROR if failing else dg.AssetCheckSeverity.WARN,
        metadata={
            "datasets_scored": len(rows),
            "below_floor": len(failing),
            "below_warn_threshold": len(warning),
            "lowest_score": min((float(row["quality_score"]) for row in rows), default=100.0),
            "warn_below": warn_below,
            "fail_below": fail_below,
            "low_scores": dg.MetadataValue.json(listed),
        },
    )


def build_quality_score_check(warn_below: float, fail_below: float) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=SCORECARD_KEY,
        name="quality_score_above_thresholds",
        pool=WAREHOUSE_POOL,
        description=(
            f"The latest quality score of every tenant and dataset: warns below {warn_below:g}, fails below "
            f"{fail_below:g} (docs/quality.md)"
        ),
    )
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.get_warehouse().session() as session:
            return score_verdict(latest_scores(session), warn_below, fail_below)

    return _check


# --- schema drift --------------------------------------------------------------------------------------


def drifted_loads(session: Session, source: str, limit: int = 20) -> list[dict[str, Any]]:
    """The latest succeeded loads of ``source`` whose header drifted, newest first."""
    rows = session.fetch_dicts(
        f"SELECT batch_id, tenant_id, source_uri, schema_drift, started_at FROM {RAW_SCHEMA}.load_batch "
        "WHERE source = %(source)s AND status = 'succeeded' AND schema_drift IS NOT NULL "
        "ORDER BY started_at DESC",
        {"source": source},
    )
    drifted = []
    for row in rows:
        drift = json.loads(row["schema_drift"])
        changes = {
            "previous": {kind: names for kind, names in (drift["previous"] or {}).items() if names},
            "contract": {kind: names for kind, names in drift["contract"].items() if names},
        }
        if changes["previous"] or changes["contract"]:
            drifted.append(
                {
                    "batch_id": row["batch_id"],
                    "tenant_id": row["tenant_id"],
                    "started_at": str(row["started_at"]),
                    **changes,
                }
            )
    return drifted[:limit]


def build_schema_drift_check(specs: Iterable[SourceSpec]) -> dg.AssetChecksDefinition:
    sources = {raw_asset_key(spec): spec.name for spec in specs}

    def evaluate(session: Session, key: dg.AssetKey) -> dg.AssetCheckResult:
        ledger = (RAW_SCHEMA, "load_batch", "table") in session.relations([RAW_SCHEMA])
        drifted = drifted_loads(session, sources[key]) if ledger else []
        return dg.AssetCheckResult(
            passed=not drifted,
            metadata={"drifted_loads": len(drifted), "drift": dg.MetadataValue.json(drifted)},
        )

    return _warning_per_asset(
        "raw_schema_drift",
        "schema_drift",
        dict.fromkeys(
            sources,
            "Loads whose header differs from the previous delivery of the source and tenant (columns added, "
            "missing, renamed) or from the contract (columns it does not know, fields absent)",
        ),
        evaluate,
    )


def _warning_per_asset(
    name: str,
    check_name: str,
    descriptions: dict[dg.AssetKey, str],
    evaluate: Callable[[Session, dg.AssetKey], dg.AssetCheckResult],
) -> dg.AssetChecksDefinition:
    """One step that runs the WARN check ``check_name`` of each selected asset of ``descriptions`` on one
    warehouse session: ``evaluate`` gives its result (passed and metadata)."""

    @dg.multi_asset_check(
        specs=[
            dg.AssetCheckSpec(check_name, asset=key, description=text) for key, text in descriptions.items()
        ],
        can_subset=True,
        pool=WAREHOUSE_POOL,
        name=name,
    )
    def _check(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.AssetCheckResult]:
        with warehouse.get_warehouse().session() as session:
            for check_key in sorted(
                context.selected_asset_check_keys, key=lambda key: key.asset_key.to_string()
            ):
                result = evaluate(session, check_key.asset_key)
                yield dg.AssetCheckResult(
                    asset_key=check_key.asset_key,
                    check_name=check_key.name,
                    passed=result.passed,
                    severity=dg.AssetCheckSeverity.WARN,
                    metadata=result.metadata,
                )

    return _check


# --- anomalies -----------------------------------------------------------------------------------------


def measure_anomalies(
    session: Session, measure: Measure, min_points: int
) -> tuple[int, list[dict[str, Any]]]:
    """(series judged, anomalies found) of ``measure`` in its mart."""
    series: dict[tuple, list[tuple[Any, float]]] = {}
    for row in session.fetchall(measure.sql()):
        *key, day, value = row
        series.setdefault(tuple(key), []).append((day, float(value)))
    found = []
    for key, points in series.items():
        days = [
            day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day)[:10]) for day, _ in points
        ]
        for anomaly in daily_anomalies(days, [value for _day, value in points], min_points=min_points):
            found.append(
                {
                    **dict(zip(measure.series, key, strict=True)),
                    "day": str(points[anomaly.index][0]),
                    "value": anomaly.value,
                    "series_median": anomaly.median,
                    "modified_z": round(anomaly.modified_z, 2),
                }
            )
    return len(series), found


def build_anomaly_check(min_points: int, measures: Sequence[Measure] = MEASURES) -> dg.AssetChecksDefinition:
    by_key = {measure.key: measure for measure in measures}

    def evaluate(session: Session, key: dg.AssetKey) -> dg.AssetCheckResult:
        judged, found = measure_anomalies(session, by_key[key], min_points)
        return dg.AssetCheckResult(
            passed=not found,
            metadata={
                "series_judged": judged,
                "anomalies": len(found),
                "anomalous_points": dg.MetadataValue.json(found[:50]),
            },
        )

    return _warning_per_asset(
        "mart_measure_anomalies",
        "measure_anomalies",
        {
            key: f"Anomalies in {measure.label}: |modified z-score| > {MODIFIED_Z_THRESHOLD} against the "
            "median and MAD of the series' working days or weekends (Iglewicz and Hoaglin; docs/quality.md)"
            for key, measure in by_key.items()
        },
        evaluate,
    )
