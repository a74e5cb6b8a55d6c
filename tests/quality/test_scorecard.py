"""The quality models over a ledger of real loads (docs/quality.md), on DuckDB and PostgreSQL: one dbt build
of the ledger staging, the quality models and the scorecard per engine, shared by the module.

Three tenants of customs__cbam_shipments (a daily source: warn after 26 h, fail after 48 h):
- acme: three loads on three days, the ledger's start times set as three days of deliveries would leave
  them: 3 rows, 3 rows, then 36 h later 7 rows of which one misses a required value, one is invalid and
  one repeats another record of the file;
- beta: one file whose header cannot feed the contract (a failed load);
- gamma: one load, then a row of it deleted from the raw table (row conservation broken).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from greenlang.catalog import RAW_SOURCES
from greenlang.cbam.sources import CBAM_SHIPMENTS
from greenlang.core.loader import LoadError, load_file, prepare_raw_tables
from greenlang.core.validation import field_rules
from greenlang.core.warehouse import Warehouse
from greenlang.quality.checks import latest_scores, score_verdict
from tests.helpers import dbt

HEADER = ",".join(rule.name for rule in field_rules(CBAM_SHIPMENTS.contract))


def line(number: int, declaration: str = "26DE000000000000A1", cn_code: str = "72081000") -> str:
    given = ["DE123456789012345", declaration, str(number), "2026-02-03", cn_code, "CN", "25.5", "40"]
    return ",".join(given + [""] * (len(HEADER.split(",")) - len(given)))  # the optional fields empty


FIRST_DAY = dt.datetime(2026, 3, 2, 0, 0)
D = Decimal


@dataclass(frozen=True)
class Built:
    warehouse: Warehouse
    dbt_output: str


def write(path: Path, lines: list[str], header: str = HEADER) -> Path:
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def set_started(warehouse: Warehouse, batch_id: str, started: dt.datetime) -> None:
    with warehouse.session() as session:
        session.execute(
            "UPDATE raw.load_batch SET started_at = %(at)s, finished_at = %(at)s WHERE batch_id = %(id)s",
            {"at": started, "id": batch_id},
        )


@pytest.fixture(scope="module")
def built(
    module_warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory, dbt_parse_root: Path
) -> Built:
    warehouse = module_warehouse
    folder = tmp_path_factory.mktemp("quality-files")
    prepare_raw_tables(warehouse, list(RAW_SOURCES))
    days = [
        [line(1), line(2), line(3)],
        [line(4), line(5), line(6)],
        [
            *(line(number) for number in range(7, 11)),
            line(7),  # the same record again
            line(11, declaration=""),  # a required value missing
            line(12, cn_code="7208100"),  # a 7-digit CN code
        ],
    ]
    starts = [FIRST_DAY, FIRST_DAY + dt.timedelta(days=1), FIRST_DAY + dt.timedelta(days=2, hours=12)]
    for index, (lines, started) in enumerate(zip(days, starts, strict=True)):
        result = load_file(warehouse, CBAM_SHIPMENTS, write(folder / f"acme-{index}.csv", lines), "acme")
        set_started(warehouse, result.batch_id, started)
    with pytest.raises(LoadError) as failed:
        load_file(warehouse, CBAM_SHIPMENTS, write(folder / "beta.csv", ["x,y"], header="a,b"), "beta")
    set_started(warehouse, failed.value.batch_id, FIRST_DAY)
    result = load_file(warehouse, CBAM_SHIPMENTS, write(folder / "gamma.csv", [line(1), line(2)]), "gamma")
    set_started(warehouse, result.batch_id, FIRST_DAY)
    with warehouse.session() as session:
        session.execute(
            "DELETE FROM raw.customs__cbam_shipments WHERE tenant_id = 'gamma' AND _source_row = 2"
        )
    output = dbt.build(
        warehouse.settings,
        "+rpt_data_quality_scorecard_for_readers",
        "+int_quality__daily_volume",
        indirect_selection="cautious",
    )
    return Built(warehouse, output)


def rows(warehouse: Warehouse, sql: str) -> list[dict]:
    with warehouse.session() as session:
        return session.fetch_dicts(sql)


SCORES = (
    "completeness_score",
    "validity_score",
    "uniqueness_score",
    "timeliness_score",
    "consistency_score",
    "quality_score",
)


def test_each_dimension_follows_its_documented_formula(built: Built) -> None:
    scorecard = rows(
        built.warehouse,
        "SELECT * FROM reporting.rpt_data_quality_scorecard ORDER BY tenant_id, score_date",
    )
    by_key = {(row["tenant_id"], str(row["score_date"])): row for row in scorecard}
    assert {row["dataset"] for row in scorecard} == {"raw.customs__cbam_shipments"}
    assert [tuple(row[name] for name in SCORES) for row in scorecard] == [
        # acme day 1 and 2: every row loaded, on time
        (D(100), D(100), D(100), D(100), D(100), D(100)),
        (D(100), D(100), D(100), D(100), D(100), D(100)),
        # acme day 3: 6 of 7 rows complete, 6 of 7 valid, 4 distinct records of 5 loaded, 36 h after the
        # previous load (100 x (48 - 36) / (48 - 26) = 54.55), conserved; the mean of the five
        (D("85.71"), D("85.71"), D("80.00"), D("54.55"), D(100), D("81.19")),
        # beta: a failed load delivered nothing usable (completeness and validity 0)
        (D(0), D(0), D(100), D(100), D(100), D(60)),
        # gamma: the raw table holds 1 of the 2 rows the ledger says were loaded
        (D(100), D(100), D(100), D(100), D(0), D(80)),
    ]
    # the trend: the 7-day mean of acme's scored days, and the change from the previous one
    assert by_key["acme", "2026-03-04"]["quality_score_7d"] == D("93.73")
    assert by_key["acme", "2026-03-04"]["quality_score_change"] == D("-18.81")
    assert by_key["acme", "2026-03-02"]["quality_score_change"] is None
    assert (by_key["acme", "2026-03-04"]["loads"], by_key["acme", "2026-03-04"]["rows_read"]) == (1, 7)


def test_volume_is_flagged_from_a_change_of_half_the_recent_median(built: Built) -> None:
    volume = rows(
        built.warehouse,
        "SELECT load_date, rows_received, baseline_days, baseline_rows, volume_change, is_volume_change "
        "FROM intermediate.int_quality__daily_volume WHERE tenant_id = 'acme' ORDER BY load_date",
    )
    assert [
        (row["rows_received"], row["baseline_days"], row["volume_change"], row["is_volume_change"])
        for row in volume
    ] == [(3, 0, None, False), (3, 1, D("0.0000"), False), (7, 2, D("1.3333"), True)]


def test_the_volume_test_warns_and_the_build_goes_on(built: Built) -> None:
    assert "Warning in test volume_within_threshold_of_recent_days" in built.dbt_output
    assert "ERROR=0" in built.dbt_output


def test_the_score_check_warns_below_80_and_fails_below_the_floor(built: Built) -> None:
    with built.warehouse.session() as session:
        latest = latest_scores(session)
    assert [(row["tenant_id"], row["quality_score"]) for row in latest] == [
        ("acme", D("81.19")),
        ("beta", D("60.00")),
        ("gamma", D("80.00")),
    ]
    warned = score_verdict(latest, warn_below=80, fail_below=50)
    assert (warned.passed, warned.severity.value) == (False, "WARN")
    assert [item["tenant_id"] for item in warned.metadata["low_scores"].value] == ["beta"]
    failed = score_verdict(latest, warn_below=80, fail_below=65)
    assert (failed.passed, failed.severity.value) == (False, "ERROR")
    assert score_verdict(latest, warn_below=60, fail_below=50).passed
