"""The arithmetic rules on hand-made report rows: tolerances from the precision written."""

import json

from greenlang.cbam.report_arithmetic import arithmetic_issues


def _rows(**changes: str | None) -> tuple[dict, list[dict], list[dict]]:
    """A report that adds up: 1 good of 2.5 t (procedures 1.5 + 1), 2 installations.
    installation 1: 1.5 t x 2.1 = 3.15 direct, 1.5 x 0.4 = 0.6 indirect (0.5 MWh/t x 0.8), overall 3.75
    installation 2: 1 t x 1.85 = 1.85 direct, 0 indirect, overall 1.85
    good: direct 3.15 + 1.85 = 5, indirect 0.6, overall 5.6; per unit 5.6 / 2.5 = 2.24; report total 5.6"""
    report = {"_source_row": 1, "total_imported": "1", "total_emissions": "5.6"}
    good = {
        "_source_row": 2,
        "item_number": "1",
        "net_mass": "2.5",
        "procedure_net_masses": json.dumps(["1.5", "1"]),
        "emissions_per_unit": "2.24",
        "overall_emissions": "5.6",
        "total_direct": "5",
        "total_indirect": "0.6",
    }
    first = {
        "_source_row": 3,
        "item_number": "1",
        "produced_net_mass": "1.5",
        "installation_overall": "3.75",
        "installation_direct": "3.15",
        "installation_indirect": "0.6",
        "direct_see": "2.1",
        "indirect_see": "0.4",
        "indirect_emission_factor": "0.8",
        "electricity_consumed": "0.5",
    }
    second = {
        **first,
        "_source_row": 4,
        "produced_net_mass": "1",
        "installation_overall": "1.85",
        "installation_direct": "1.85",
        "installation_indirect": "0",
        "direct_see": "1.85",
        "indirect_see": None,
        "indirect_emission_factor": None,
        "electricity_consumed": None,
    }
    rows = {"report": report, "good": good, "first": first, "second": second}
    for key, value in changes.items():
        name, column = key.split("__")
        rows[name] = {**rows[name], column: value}
    return rows["report"], [rows["good"]], [rows["first"], rows["second"]]


def _flagged(**changes: str | None) -> list[tuple[int, str]]:
    return [(issue.source_row, issue.rule) for issue in arithmetic_issues(*_rows(**changes))]


def test_a_report_that_adds_up_is_not_flagged() -> None:
    assert _flagged() == []


def test_a_figure_rounded_within_half_a_unit_of_its_last_place_adds_up() -> None:
    # 2.5 x 2.2366 = 5.5915, written 5.6 (one decimal: within 0.05 + 2.5 x 0.00005 = 0.050125)
    assert _flagged(good__emissions_per_unit="2.2366") == []
    # 2.5 x 2.2 = 5.5: off by 0.1, within 0.05 + 2.5 x 0.05 = 0.175 (2.2 stands for 2.15 to 2.25);
    # 2.5 x 2.1 = 5.25 is off by 0.35
    assert _flagged(good__emissions_per_unit="2.2") == []
    assert _flagged(good__emissions_per_unit="2.1") == [(2, "goods_per_unit")]


def test_each_rule_flags_the_record_whose_figure_is_off() -> None:
    assert _flagged(report__total_imported="2") == [(1, "report_total_imported")]
    # 5.6 != 5.8: beyond 0.05 + 0.05 (5.7 would be within)
    assert _flagged(report__total_emissions="5.8") == [(1, "report_total_emissions")]
    # 2.24 x 2.6 = 5.824: beyond 0.05 + 2.6 x 0.005 + 2.24 x 0.05 = 0.175 of 5.6; the procedures' 1.5 + 1
    # = 2.5 is within 0.05 + 0.05 + 0.5 of 2.6 (the mass "1" is written without decimals)
    assert _flagged(good__net_mass="2.6") == [(2, "goods_per_unit")]
    # 3.45 + 0.6 = 4.05 != 3.75; 2.1 x 1.5 = 3.15 != 3.45 (beyond 0.075 + 0.105 + 0.005); the good's
    # direct 5 stands for 4.5 to 5.5, and 3.45 + 1.85 = 5.3 is within it
    assert _flagged(first__installation_direct="3.45") == [
        (3, "installation_overall"),
        (3, "installation_direct"),
    ]
    # 1.2 x 0.5 = 0.6 != 0.4 (beyond 0.5 x 0.05 + 1.2 x 0.05 + 0.05 = 0.135)
    assert _flagged(first__indirect_emission_factor="1.2") == [(3, "indirect_factor")]


def test_a_missing_or_non_decimal_figure_is_flagged_as_such() -> None:
    issues = arithmetic_issues(*_rows(report__total_emissions=None, good__total_direct="5,0"))
    details = {(issue.rule, issue.detail) for issue in issues}
    assert ("report_total_emissions", "missing") in details
    assert ("goods_overall", "not a decimal: '5,0'") in details
    assert ("goods_direct", "not a decimal: '5,0'") in details
