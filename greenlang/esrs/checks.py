"""Consistency checks of the ESRS E1 reports: totals = the sum of their parts, shares add up to 1,
intensity = total / net revenue. The one place these rules are written: Dagster runs them as asset checks
of the two reports after every build (there is no dbt copy of them).

Exactness follows the models (dbt_project/models/reporting/rpt_esrs_e1_{5,6}_*.sql): every part is a
numeric(38, 12) sum of numeric(38, 12) values, so totals and sums must be equal exactly, and
``share_renewable = 1 - share_fossil - share_nuclear`` makes the three shares add up to exactly 1. Only
the divisions round (``decimal_divide``: half away from zero at 12 places), so a quotient may differ from
the exact quotient by at most half a unit of the 12th place; ``share_renewable``, derived from two
rounded quotients, by at most one unit. Every inconsistency names the tenant, the year, the figures that
disagree and both values.
"""

import decimal
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import dagster as dg

from greenlang.core.warehouse import WAREHOUSE_POOL, WarehouseResource
from greenlang.esrs.export import E1_5_KEY, E1_5_TABLE, E1_6_KEY, E1_6_TABLE, REPORTING_SCHEMA

HALF_UNIT = Decimal("0.5e-12")  # decimal_divide rounds half away from zero at 12 places
ONE_UNIT = Decimal("1e-12")

_SUMS_E1_6 = (
    ("scope_3_tco2e", tuple(f"scope_3_cat_{category}_tco2e" for category in range(1, 16))),
    ("total_location_tco2e", ("scope_1_tco2e", "scope_2_location_tco2e", "scope_3_tco2e")),
    ("total_market_tco2e", ("scope_1_tco2e", "scope_2_market_tco2e", "scope_3_tco2e")),
)
_INTENSITIES = (
    ("intensity_location_tco2e_per_net_revenue", "total_location_tco2e"),
    ("intensity_market_tco2e_per_net_revenue", "total_market_tco2e"),
)
_SUMS_E1_5 = (
    ("total_energy_mwh", ("fossil_mwh", "nuclear_mwh", "renewable_mwh")),
    (
        "fossil_mwh",
        (
            "fossil_coal_and_coal_products_mwh",
            "fossil_crude_oil_and_petroleum_products_mwh",
            "fossil_natural_gas_mwh",
            "fossil_other_sources_mwh",
            "fossil_purchased_electricity_heat_steam_cooling_mwh",
        ),
    ),
    (
        "renewable_mwh",
        (
            "renewable_fuels_mwh",
            "renewable_purchased_electricity_heat_steam_cooling_mwh",
            "renewable_self_generated_non_fuel_mwh",
        ),
    ),
)
_SHARES = (("share_fossil", "fossil_mwh", HALF_UNIT), ("share_nuclear", "nuclear_mwh", HALF_UNIT))
_SHARE_RENEWABLE = ("share_renewable", "renewable_mwh", ONE_UNIT)
_SHARE_COLUMNS = ("share_fossil", "share_nuclear", "share_renewable")


def _number(value: Any) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, float):
        raise TypeError(f"a float is not an exact figure: {value!r}")
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _text(value: Decimal | None) -> str:
    return "NULL" if value is None else format(value, "f")


def _issue(
    report: str, row: Mapping[str, Any], figure: str, reported: Decimal | None, rule: str, expected: Any
) -> dict[str, Any]:
    expected_text = expected if isinstance(expected, str) else _text(expected)
    return {
        "report": report,
        "tenant_id": str(row["tenant_id"]),
        "reporting_year": int(row["reporting_year"]),
        "figure": figure,
        "reported": _text(reported),
        "rule": rule,
        "expected": expected_text,
        "message": (
            f"{report}: tenant {row['tenant_id']} year {row['reporting_year']}: {figure} = {_text(reported)}"
            f" but {rule} = {expected_text}"
        ),
    }


def _check_sums(report: str, row: Mapping[str, Any], sums) -> list[dict[str, Any]]:
    issues = []
    for total_column, part_columns in sums:
        total = _number(row.get(total_column))
        parts = [_number(row.get(column)) for column in part_columns]
        rule = " + ".join(part_columns)
        if any(part is None for part in parts):
            nulls = ", ".join(
                column for column, part in zip(part_columns, parts, strict=True) if part is None
            )
            issues.append(_issue(report, row, total_column, total, rule, f"NULL ({nulls} NULL)"))
        elif total is None or total != sum(parts, Decimal(0)):
            issues.append(_issue(report, row, total_column, total, rule, sum(parts, Decimal(0))))
    return issues


def _check_quotient(
    report: str,
    row: Mapping[str, Any],
    figure: str,
    numerator_column: str,
    denominator_column: str,
    tolerance: Decimal,
) -> list[dict[str, Any]]:
    reported = _number(row.get(figure))
    numerator = _number(row.get(numerator_column))
    denominator = _number(row.get(denominator_column))
    rule = f"{numerator_column} / {denominator_column}"
    if denominator is None or denominator == 0 or numerator is None:
        if reported is not None:
            return [_issue(report, row, figure, reported, rule, "NULL (no denominator)")]
        return []
    exact = numerator / denominator
    if reported is None or abs(reported - exact) > tolerance:
        return [_issue(report, row, figure, reported, f"{rule} (within {_text(tolerance)})", exact)]
    return []


def _e1_6_issues(row: Mapping[str, Any]) -> list[dict[str, Any]]:
    issues = _check_sums(E1_6_TABLE, row, _SUMS_E1_6)
    for figure, total_column in _INTENSITIES:
        issues += _check_quotient(E1_6_TABLE, row, figure, total_column, "net_revenue", HALF_UNIT)
    return issues


def _e1_5_issues(row: Mapping[str, Any]) -> list[dict[str, Any]]:
    issues = _check_sums(E1_5_TABLE, row, _SUMS_E1_5)
    total = _number(row.get("total_energy_mwh"))
    shares = [_number(row.get(column)) for column in _SHARE_COLUMNS]
    if total is None or total == 0:
        for column, share in zip(_SHARE_COLUMNS, shares, strict=True):
            if share is not None:
                issues.append(_issue(E1_5_TABLE, row, column, share, "share of a zero total", "NULL"))
        return issues
    if any(share is None for share in shares) or sum(shares, Decimal(0)) != 1:
        reported = None if any(share is None for share in shares) else sum(shares, Decimal(0))
        issues.append(_issue(E1_5_TABLE, row, " + ".join(_SHARE_COLUMNS), reported, "exactly", Decimal(1)))
    for figure, part_column, tolerance in (*_SHARES, _SHARE_RENEWABLE):
        issues += _check_quotient(E1_5_TABLE, row, figure, part_column, "total_energy_mwh", tolerance)
    return issues


def esrs_issues(
    e1_5_rows: Iterable[Mapping[str, Any]], e1_6_rows: Iterable[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Every inconsistency as a dict: report, tenant_id, reporting_year, figure, reported, rule,
    expected, message."""
    with decimal.localcontext() as context:
        context.prec = 60  # the exact quotients compared with 12-place results
        issues = [issue for row in e1_6_rows for issue in _e1_6_issues(row)]
        issues += [issue for row in e1_5_rows for issue in _e1_5_issues(row)]
    return issues


def esrs_inconsistencies(
    e1_5_rows: Iterable[Mapping[str, Any]], e1_6_rows: Iterable[Mapping[str, Any]]
) -> list[str]:
    """One message per inconsistency, naming tenant, year, the figures and both values."""
    return [issue["message"] for issue in esrs_issues(e1_5_rows, e1_6_rows)]


def _result(issues: Sequence[dict[str, Any]], rows: int) -> dg.AssetCheckResult:
    messages = [issue["message"] for issue in issues]
    description = None
    if messages:
        shown = "; ".join(messages[:5])
        description = f"{len(messages)} inconsistencies: {shown}" + (" ..." if len(messages) > 5 else "")
    return dg.AssetCheckResult(
        passed=not issues,
        description=description,
        metadata={
            "rows_checked": rows,
            "inconsistencies": len(issues),
            "tenant_years": dg.MetadataValue.json(
                sorted({f"{issue['tenant_id']} {issue['reporting_year']}" for issue in issues})
            ),
            "details": dg.MetadataValue.json([dict(issue) for issue in issues]),
        },
    )


def _fetch(warehouse: WarehouseResource, table: str) -> list[dict[str, Any]]:
    with warehouse.get_warehouse().session() as session:
        return session.fetch_dicts(
            f"SELECT * FROM {REPORTING_SCHEMA}.{table} ORDER BY tenant_id, reporting_year"
        )


@dg.asset_check(
    asset=E1_6_KEY,
    name="esrs_e1_6_consistency",
    blocking=True,
    pool=WAREHOUSE_POOL,
    description="scope 3 = its 15 categories; totals = scope 1 + scope 2 (location / market) + scope 3; "
    "intensity = total / net revenue (within the model's rounding at 12 places)",
)
def esrs_e1_6_consistency(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    rows = _fetch(warehouse, E1_6_TABLE)
    return _result(esrs_issues([], rows), len(rows))


@dg.asset_check(
    asset=E1_5_KEY,
    name="esrs_e1_5_consistency",
    blocking=True,
    pool=WAREHOUSE_POOL,
    description="total = fossil + nuclear + renewable, fossil and renewable = their breakdowns, shares "
    "add up to exactly 1 and each = part / total (within the model's rounding at 12 places)",
)
def esrs_e1_5_consistency(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    rows = _fetch(warehouse, E1_5_TABLE)
    return _result(esrs_issues(rows, []), len(rows))


def build_esrs_checks() -> list[dg.AssetChecksDefinition]:
    return [esrs_e1_6_consistency, esrs_e1_5_consistency]
