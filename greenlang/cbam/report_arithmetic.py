"""The arithmetic inside a filed quarterly report, recomputed: what does not add up is flagged.

Rules (the report's own figures, QReport 17.03 structure):
- report_total_imported:   QReport/TotalImported = the number of ImportedGood
- report_total_emissions:  QReport/TotalEmissions = sum of the goods' OverallEmissions
- goods_overall:           a good's OverallEmissions = TotalDirect + TotalIndirect
- goods_per_unit:          EmissionsPerUnit x MeasureImported/NetMass = OverallEmissions
- goods_mass:              MeasureImported/NetMass = sum of its ImportedQuantity NetMass
- goods_direct / goods_indirect / goods_installations: the good's TotalDirect / TotalIndirect /
                           OverallEmissions = the sums over its GoodsEmissions' InstallationEmissions
- installation_overall:    InstallationEmissions OverallEmissions = TotalDirect + TotalIndirect
- installation_direct / installation_indirect: DirectEmissions / IndirectEmissions
                           SpecificEmbeddedEmissions x ProducedMeasure/NetMass = TotalDirect / TotalIndirect
- indirect_factor:         IndirectEmissions EmissionFactor x ElectricityConsumed = SpecificEmbeddedEmissions
A figure that is missing or no decimal makes its rules flag it ("missing", "not a decimal").

Tolerance from the precision written: a figure written with d decimals stands for any value within half a
unit of its last place (0.5 x 10^-d); a sum may differ by the half-units of its terms and of the total, a
product a x b by |b| x half-unit(a) + |a| x half-unit(b) + half-unit(total). So ``13615`` for
``24.75454 x 550 = 13614.997`` adds up (tolerance 0.5 + 550 x 0.000005), a wrong figure does not.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

Row = Mapping[str, Any]


@dataclass(frozen=True)
class ArithmeticIssue:
    source_row: int  # the record (raw table _source_row) whose figure does not add up
    rule: str
    detail: str


class _Figure:
    """A figure as written, or why it cannot be used."""

    def __init__(self, text: str | None):
        self.text = text
        self.value: Decimal | None = None
        self.problem: str | None = None
        if text is None or text.strip() == "":
            self.problem = "missing"
            return
        try:
            value = Decimal(text.strip())
        except InvalidOperation:
            self.problem = f"not a decimal: {text!r}"
            return
        if not value.is_finite():
            self.problem = f"not a decimal: {text!r}"
            return
        self.value = value

    @property
    def half_unit(self) -> Decimal:
        exponent = self.value.as_tuple().exponent
        return Decimal(5).scaleb(int(exponent) - 1)


def _sum_check(total: _Figure, parts: Sequence[_Figure]) -> str | None:
    broken = [figure.problem for figure in (total, *parts) if figure.problem]
    if broken:
        return broken[0]
    computed = sum((part.value for part in parts), Decimal(0))
    tolerance = total.half_unit + sum((part.half_unit for part in parts), Decimal(0))
    if abs(computed - total.value) > tolerance:
        terms = " + ".join(part.text.strip() for part in parts) or "0"
        return f"{total.text.strip()} != {terms} = {computed}"
    return None


def _product_check(total: _Figure, a: _Figure, b: _Figure) -> str | None:
    broken = [figure.problem for figure in (total, a, b) if figure.problem]
    if broken:
        return broken[0]
    computed = a.value * b.value
    tolerance = abs(b.value) * a.half_unit + abs(a.value) * b.half_unit + total.half_unit
    if abs(computed - total.value) > tolerance:
        return f"{total.text.strip()} != {a.text.strip()} x {b.text.strip()} = {computed}"
    return None


def arithmetic_issues(report: Row, goods: Sequence[Row], emissions: Sequence[Row]) -> list[ArithmeticIssue]:
    """The rules above on one report's raw rows (columns of ``greenlang.cbam.report_in``)."""
    issues = []

    def flag(row: Row, rule: str, problem: str | None) -> None:
        if problem:
            issues.append(ArithmeticIssue(int(row["_source_row"]), rule, problem))

    count = _Figure(report.get("total_imported"))
    if count.problem or count.value != len(goods):
        flag(report, "report_total_imported", count.problem or f"{count.text.strip()} != {len(goods)} goods")
    flag(
        report,
        "report_total_emissions",
        _sum_check(
            _Figure(report.get("total_emissions")), [_Figure(good["overall_emissions"]) for good in goods]
        ),
    )
    for good in goods:
        overall = _Figure(good["overall_emissions"])
        direct, indirect = _Figure(good["total_direct"]), _Figure(good["total_indirect"])
        flag(good, "goods_overall", _sum_check(overall, [direct, indirect]))
        mass = _Figure(good["net_mass"])
        flag(good, "goods_per_unit", _product_check(overall, _Figure(good["emissions_per_unit"]), mass))
        masses = [_Figure(text) for text in json.loads(good["procedure_net_masses"] or "[]")]
        flag(good, "goods_mass", _sum_check(mass, masses))
        own = [row for row in emissions if row["item_number"] == good["item_number"]]
        for rule, total, column in (
            ("goods_direct", direct, "installation_direct"),
            ("goods_indirect", indirect, "installation_indirect"),
            ("goods_installations", overall, "installation_overall"),
        ):
            flag(good, rule, _sum_check(total, [_Figure(row[column]) for row in own]))
    for row in emissions:
        produced = _Figure(row["produced_net_mass"])
        direct, indirect = _Figure(row["installation_direct"]), _Figure(row["installation_indirect"])
        flag(
            row, "installation_overall", _sum_check(_Figure(row["installation_overall"]), [direct, indirect])
        )
        flag(row, "installation_direct", _product_check(direct, _Figure(row["direct_see"]), produced))
        if row["indirect_see"] is not None:
            see = _Figure(row["indirect_see"])
            flag(row, "installation_indirect", _product_check(indirect, see, produced))
            if row["indirect_emission_factor"] is not None and row["electricity_consumed"] is not None:
                factor, electricity = (
                    _Figure(row["indirect_emission_factor"]),
                    _Figure(row["electricity_consumed"]),
                )
                flag(row, "indirect_factor", _product_check(see, factor, electricity))
    return issues
