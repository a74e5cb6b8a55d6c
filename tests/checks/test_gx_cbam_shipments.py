"""The Great Expectations suite for CBAM shipment batches (greenlang/cbam/expectations.py).

One GX context serves the whole module (the module caches it); the clean batch is built once and each
test breaks a copy of it in exactly one way.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from decimal import Decimal

import pandas as pd
import pytest

from greenlang.cbam.expectations import (
    EXPECTED_COLUMNS,
    SuiteOutcome,
    build_cbam_shipment_suite,
    validate_cbam_shipment_batch,
)

# Great Expectations: seconds per validation run (make test-fast leaves them out)
pytestmark = pytest.mark.slow

NOW = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
TODAY = NOW.date()

# (cn_code, origin, direct SEE, indirect SEE): one good of every Annex I sector, incl. the edge entries
GOODS = [
    ("72081000", "TR", Decimal("1.850000000000"), Decimal("0.300000000000")),  # hot-rolled flat steel
    ("73089098", "CN", Decimal("2.100000000000"), None),  # steel structures
    ("72024110", "ZA", Decimal("6.400000000000"), Decimal("3.100000000000")),  # ferro-chromium
    ("26011200", "BR", None, None),  # agglomerated iron ore
    ("76011000", "IN", Decimal("8.200000000000"), Decimal("6.900000000000")),  # unwrought aluminium
    ("76061192", "AE", None, None),  # aluminium plates
    ("25231000", "EG", Decimal("0.850000000000"), Decimal("0.050000000000")),  # cement clinker
    ("25070080", "UA", None, None),  # other kaolinic clays
    ("31021010", "US", Decimal("2.600000000000"), None),  # urea
    ("28141000", "DZ", None, None),  # anhydrous ammonia
    ("31059020", "MA", None, None),  # 3105 other than 3105 60 00
    ("28041000", "SA", Decimal("10.500000000000"), Decimal("0.700000000000")),  # hydrogen
    ("27160000", "RS", None, None),  # electricity
]
PROCEDURES = ["4000", "40", "4071", "4200", "5100", "4051", "6121"]


def clean_batch(rows: int = 40, tenant: str = "acme") -> pd.DataFrame:
    """A batch as the PostgreSQL session returns it: Decimal objects, datetime.date, naive UTC timestamps."""
    records = []
    for i in range(rows):
        cn_code, origin, direct, indirect = GOODS[i % len(GOODS)]
        records.append(
            {
                "tenant_id": tenant,
                "declarant_eori": "DE" + f"{1234567890 + i // 5:d}",
                "declaration_id": f"25DE{(i // 5):010d}A{i % 7}",
                "declaration_line": i % 5 + 1,
                "import_date": dt.date(2025, 1, 2) + dt.timedelta(days=(i * 7) % 365),
                "cn_code": cn_code,
                "origin_country": origin,
                "net_mass_tonnes": Decimal(5 + (i * 13) % 55) + Decimal("0.125000000000"),
                "customs_procedure": PROCEDURES[i % len(PROCEDURES)],
                "installation_id": f"{origin}-INST-{i:04d}" if direct is not None else None,
                "actual_direct_see": direct,
                "actual_indirect_see": indirect,
                "electricity_consumed_mwh": Decimal("12.5") if direct is not None else None,
                "carbon_price_paid_eur": Decimal(0) if i % 3 else None,
                "production_route": None,
                "_batch_id": "batch-0001",
                "_source_uri": f"landing/{tenant}/customs/2025-q1.csv",
                "_source_row": i + 1,
                "_row_sha256": f"{i * 7919:064x}",
                "_ingested_at": NOW - dt.timedelta(minutes=5),
            }
        )
    return pd.DataFrame.from_records(records, columns=list(EXPECTED_COLUMNS))


@pytest.fixture(scope="module")
def batch() -> pd.DataFrame:
    frame = clean_batch()
    validate_cbam_shipment_batch(frame)  # builds the module's one GX context up front
    return frame


def set_cell(column: str, value: object, row: int = 3) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def mutate(df: pd.DataFrame) -> pd.DataFrame:
        df[column] = df[column].astype(object)
        df.loc[row, column] = value
        return df

    return mutate


def set_column(column: str, value: object) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def mutate(df: pd.DataFrame) -> pd.DataFrame:
        df[column] = [value] * len(df)
        return df

    return mutate


def duplicate_key(df: pd.DataFrame) -> pd.DataFrame:
    for column in ("declarant_eori", "declaration_id", "declaration_line"):
        df.loc[1, column] = df.loc[0, column]
    return df


def duplicate_record(df: pd.DataFrame) -> pd.DataFrame:
    row = df.loc[0].copy()
    row["_source_row"] = len(df) + 1
    return pd.concat([df, row.to_frame().T], ignore_index=True).astype(df.dtypes.to_dict())


def kilograms_as_tonnes(df: pd.DataFrame) -> pd.DataFrame:
    df["net_mass_tonnes"] = [value * 1000 for value in df["net_mass_tonnes"]]
    return df


def indirect_without_direct(df: pd.DataFrame) -> pd.DataFrame:
    df.loc[0, "actual_direct_see"] = None  # row 0 has both, and an installation
    return df


def see_without_installation(df: pd.DataFrame) -> pd.DataFrame:
    df.loc[0, "installation_id"] = None
    return df


def second_tenant(df: pd.DataFrame) -> pd.DataFrame:
    df.loc[5, "tenant_id"] = "other-tenant"
    return df


def second_value(column: str) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def mutate(df: pd.DataFrame) -> pd.DataFrame:
        df.loc[7, column] = df.loc[7, column] + "-x"
        return df

    return mutate


def extra_column(df: pd.DataFrame) -> pd.DataFrame:
    df["loaded_by"] = "someone"
    return df


BROKEN = [
    pytest.param(extra_column, {"columns_match_raw_table"}, id="extra-column"),
    pytest.param(set_cell("declarant_eori", None), {"declarant_eori_not_null"}, id="eori-null"),
    pytest.param(set_cell("import_date", None), {"import_date_not_null"}, id="import-date-null"),
    pytest.param(set_cell("net_mass_tonnes", None), {"net_mass_tonnes_not_null"}, id="mass-null"),
    pytest.param(set_cell("_row_sha256", None), {"_row_sha256_not_null"}, id="sha-null"),
    pytest.param(set_cell("_ingested_at", None), {"_ingested_at_not_null"}, id="ingested-at-null"),
    pytest.param(duplicate_key, {"declaration_line_unique_in_batch"}, id="duplicate-declaration-line"),
    pytest.param(
        duplicate_record, {"declaration_line_unique_in_batch", "row_sha256_unique"}, id="duplicate-record"
    ),
    pytest.param(set_cell("_row_sha256", "AB" * 32), {"row_sha256_is_hex64"}, id="sha-upper-case"),
    pytest.param(set_cell("_row_sha256", "ab" * 31), {"row_sha256_is_hex64"}, id="sha-short"),
    pytest.param(set_cell("_source_row", 1), {"source_row_unique"}, id="source-row-repeated"),
    pytest.param(set_cell("_source_row", 0, row=0), {"source_row_positive"}, id="source-row-zero"),
    pytest.param(
        set_cell("cn_code", "7208100"), {"cn_code_8_digits", "cn_code_in_annex_i"}, id="cn-7-digits"
    ),
    pytest.param(
        set_cell("cn_code", "72081000\n"),
        {"cn_code_8_digits", "cn_code_in_annex_i"},
        id="cn-trailing-newline",
    ),
    pytest.param(
        set_cell("cn_code", "72041000"),
        {"cn_heading_in_annex_i", "cn_code_in_annex_i"},
        id="cn-ferrous-scrap",
    ),
    pytest.param(
        set_cell("cn_code", "44011100"), {"cn_heading_in_annex_i", "cn_code_in_annex_i"}, id="cn-wood"
    ),
    pytest.param(set_cell("cn_code", "72022100"), {"cn_code_in_annex_i"}, id="cn-ferro-silicon"),
    pytest.param(set_cell("cn_code", "31056000"), {"cn_code_in_annex_i"}, id="cn-3105-60-00-excluded"),
    pytest.param(set_cell("cn_code", "28042100"), {"cn_code_in_annex_i"}, id="cn-argon-not-hydrogen"),
    pytest.param(set_cell("origin_country", "tr"), {"origin_country_format"}, id="origin-lower-case"),
    pytest.param(
        set_cell("origin_country", "DE"), {"origin_is_cbam_third_country"}, id="origin-member-state"
    ),
    pytest.param(set_cell("origin_country", "CH"), {"origin_is_cbam_third_country"}, id="origin-annex-iii"),
    pytest.param(
        set_cell("declarant_eori", "DE 1234"),
        {"declarant_eori_format", "declarant_eori_issued_in_member_state"},
        id="eori-space",
    ),
    pytest.param(
        set_cell("declarant_eori", "GB123456789000"), {"declarant_eori_issued_in_member_state"}, id="eori-gb"
    ),
    pytest.param(set_cell("declaration_id", "X" * 36), {"declaration_id_length"}, id="declaration-id-36"),
    pytest.param(
        set_cell("declaration_line", 10000), {"declaration_line_range"}, id="declaration-line-10000"
    ),
    pytest.param(
        set_cell("customs_procedure", "400"),
        {"customs_procedure_format", "customs_procedure_is_cbam_import"},
        id="procedure-3-digits",
    ),
    pytest.param(
        set_cell("customs_procedure", "7100"),
        {"customs_procedure_is_cbam_import"},
        id="procedure-warehousing",
    ),
    pytest.param(set_cell("net_mass_tonnes", Decimal(0)), {"net_mass_positive"}, id="mass-zero"),
    pytest.param(set_cell("net_mass_tonnes", Decimal("-3.5")), {"net_mass_positive"}, id="mass-negative"),
    pytest.param(
        set_cell("net_mass_tonnes", Decimal(150000)), {"net_mass_plausible_ceiling"}, id="mass-over-ceiling"
    ),
    pytest.param(kilograms_as_tonnes, {"net_mass_mean_plausible"}, id="mass-kg-as-tonnes"),
    pytest.param(
        set_cell("actual_direct_see", Decimal(120), row=0), {"actual_direct_see_range"}, id="see-120"
    ),
    pytest.param(
        set_cell("actual_indirect_see", Decimal("-0.1"), row=0),
        {"actual_indirect_see_range"},
        id="see-negative",
    ),
    pytest.param(indirect_without_direct, {"indirect_see_needs_direct_see"}, id="indirect-without-direct"),
    pytest.param(
        see_without_installation, {"installation_id_with_actual_see"}, id="see-without-installation"
    ),
    pytest.param(set_cell("installation_id", "", row=0), {"installation_id_length"}, id="installation-empty"),
    pytest.param(
        set_cell("electricity_consumed_mwh", Decimal(-1), row=0),
        {"electricity_non_negative"},
        id="mwh-negative",
    ),
    pytest.param(
        set_cell("carbon_price_paid_eur", Decimal(-5), row=1),
        {"carbon_price_non_negative"},
        id="price-negative",
    ),
    pytest.param(
        set_cell("import_date", dt.date(2023, 9, 30)), {"import_date_in_cbam_period"}, id="import-before-cbam"
    ),
    pytest.param(
        set_cell("import_date", TODAY + dt.timedelta(days=10)),
        {"import_date_in_cbam_period"},
        id="import-in-future",
    ),
    pytest.param(
        set_column("_ingested_at", NOW + dt.timedelta(days=1)),
        {"ingested_at_plausible"},
        id="ingested-in-future",
    ),
    pytest.param(second_tenant, {"tenant_id_single_value"}, id="two-tenants"),
    pytest.param(set_column("tenant_id", "global"), {"tenant_not_global"}, id="tenant-global"),
    pytest.param(second_value("_batch_id"), {"_batch_id_single_value"}, id="two-batch-ids"),
    pytest.param(second_value("_source_uri"), {"_source_uri_single_value"}, id="two-source-uris"),
    pytest.param(
        set_cell("_ingested_at", NOW - dt.timedelta(days=2)),
        {"_ingested_at_single_value"},
        id="two-load-times",
    ),
]


def test_suite_has_30_plus_expectations_each_with_a_reason() -> None:
    suite = build_cbam_shipment_suite()
    assert len(suite.expectations) >= 30
    rules = [expectation.meta["rule"] for expectation in suite.expectations]
    assert len(rules) == len(set(rules)), "rule names are the suite's stable ids"
    for expectation in suite.expectations:
        assert len(expectation.meta["why"]) > 30, expectation.meta["rule"]
    sources = " ".join(expectation.meta.get("source", "") for expectation in suite.expectations)
    for citation in ("2023/956", "Annex I", "Annex III", "Annex IV", "2025/2547"):
        assert citation in sources


def test_every_rule_is_proven_to_fail_by_a_broken_batch() -> None:
    rules = {expectation.meta["rule"] for expectation in build_cbam_shipment_suite().expectations}
    proven = set().union(*(param.values[1] for param in BROKEN)) | {"row_count_plausible"}
    proven |= {f"{column}_not_null" for column in EXPECTED_COLUMNS}  # all alike; a few are in BROKEN
    assert rules - proven == set()


def test_clean_batch_passes(batch: pd.DataFrame) -> None:
    outcome = validate_cbam_shipment_batch(batch)
    assert isinstance(outcome, SuiteOutcome)
    assert outcome.failed == []
    assert outcome.success
    assert outcome.evaluated == len(build_cbam_shipment_suite().expectations)


def test_clean_batch_as_duckdb_returns_it_passes(batch: pd.DataFrame) -> None:
    """DuckDB's fetchdf gives float64 decimals, datetime64[us] dates and nullable Int64/Int32 integers."""
    duckdb = pytest.importorskip("duckdb")
    connection = duckdb.connect()
    connection.execute(
        "CREATE TABLE shipments (tenant_id text, declarant_eori text, declaration_id text, declaration_line integer,"
        " import_date date, cn_code text, origin_country text, net_mass_tonnes decimal(38,12),"
        " customs_procedure text, installation_id text, actual_direct_see decimal(38,12),"
        " actual_indirect_see decimal(38,12), electricity_consumed_mwh decimal(38,12),"
        " carbon_price_paid_eur decimal(38,12), production_route text, _batch_id text, _source_uri text, _source_row bigint,"
        " _row_sha256 text, _ingested_at timestamp)"
    )
    decimals = [
        "net_mass_tonnes",
        "actual_direct_see",
        "actual_indirect_see",
        "electricity_consumed_mwh",
        "carbon_price_paid_eur",
    ]
    connection.register("frame", batch.astype(dict.fromkeys(decimals, "float64")))
    connection.execute("INSERT INTO shipments SELECT * FROM frame")
    fetched = connection.execute("SELECT * FROM shipments").fetchdf()
    assert fetched["net_mass_tonnes"].dtype == "float64"
    assert fetched["import_date"].dtype.kind == "M"
    outcome = validate_cbam_shipment_batch(fetched)
    assert outcome.failed == []


@pytest.mark.parametrize(("mutate", "expected_rules"), BROKEN)
def test_broken_batch_fails_exactly_that_rule(
    batch: pd.DataFrame, mutate: Callable[[pd.DataFrame], pd.DataFrame], expected_rules: set[str]
) -> None:
    outcome = validate_cbam_shipment_batch(mutate(batch.copy()))
    assert not outcome.success
    assert set(outcome.failed_rules) == expected_rules
    for failure in outcome.failed:
        assert failure["expectation_type"].startswith("expect_")
        assert failure["exception"] is None, failure
        sample = failure["unexpected_sample"]
        assert sample is None or len(sample) <= 5
        assert failure["observed_value"] is not None or failure["unexpected_count"], failure
    json.dumps(outcome.failed)  # goes into Dagster JSON metadata as is


def aware_ingested_at(df: pd.DataFrame) -> pd.DataFrame:
    df["_ingested_at"] = df["_ingested_at"].dt.tz_localize("UTC")
    return df


VALID_VARIANTS = [
    pytest.param(set_cell("customs_procedure", "0700"), id="procedure-07-free-circulation-and-warehousing"),
    pytest.param(set_cell("customs_procedure", "51"), id="procedure-51-inward-processing"),
    pytest.param(set_cell("declarant_eori", "EL094012345"), id="eori-greece-el"),
    pytest.param(set_cell("origin_country", "GB"), id="origin-united-kingdom"),
    pytest.param(set_cell("cn_code", "72026000"), id="cn-ferro-nickel"),
    pytest.param(set_cell("cn_code", "76090000"), id="cn-aluminium-fittings"),
    pytest.param(set_cell("import_date", TODAY), id="import-today"),
    pytest.param(set_cell("actual_direct_see", Decimal("26.0"), row=11), id="hydrogen-see-26"),
    pytest.param(aware_ingested_at, id="ingested-at-tz-aware"),
]


@pytest.mark.parametrize("mutate", VALID_VARIANTS)
def test_valid_variation_still_passes(
    batch: pd.DataFrame, mutate: Callable[[pd.DataFrame], pd.DataFrame]
) -> None:
    outcome = validate_cbam_shipment_batch(mutate(batch.copy()))
    assert outcome.failed == []


def test_failure_names_the_expectation_column_and_bad_values(batch: pd.DataFrame) -> None:
    broken = batch.copy()
    broken.loc[[2, 4, 6, 8, 10, 12, 14], "origin_country"] = "NO"
    outcome = validate_cbam_shipment_batch(broken)
    (failure,) = outcome.failed
    assert failure["expectation_type"] == "expect_column_values_to_not_be_in_set"
    assert failure["column"] == "origin_country"
    assert "NO" in failure["kwargs"]["value_set"]
    assert failure["unexpected_count"] == 7
    assert failure["unexpected_sample"] == ["NO"] * 5


def test_empty_batch_fails_on_row_count(batch: pd.DataFrame) -> None:
    outcome = validate_cbam_shipment_batch(batch.iloc[0:0])
    assert "row_count_plausible" in outcome.failed_rules
    assert not outcome.success


def test_missing_column_fails_without_crashing(batch: pd.DataFrame) -> None:
    outcome = validate_cbam_shipment_batch(batch.drop(columns=["origin_country"]))
    rules = set(outcome.failed_rules)
    assert "columns_match_raw_table" in rules
    assert {"origin_country_not_null", "origin_country_format", "origin_is_cbam_third_country"} <= rules
    columns_failure = next(f for f in outcome.failed if f["rule"] == "columns_match_raw_table")
    assert columns_failure["unexpected_sample"]["missing"] == ["origin_country"]
    json.dumps(outcome.failed)


def test_unparseable_number_fails_instead_of_becoming_null(batch: pd.DataFrame) -> None:
    broken = set_cell("net_mass_tonnes", "12,5 t")(batch.copy())
    outcome = validate_cbam_shipment_batch(broken)
    assert "net_mass_tonnes_not_null" not in outcome.failed_rules
    assert {"net_mass_positive", "net_mass_plausible_ceiling", "net_mass_mean_plausible"} <= set(
        outcome.failed_rules
    )


def test_validation_does_not_modify_the_callers_frame(batch: pd.DataFrame) -> None:
    before = batch.copy()
    validate_cbam_shipment_batch(batch)
    pd.testing.assert_frame_equal(batch, before)
    assert isinstance(batch.loc[0, "net_mass_tonnes"], Decimal)


def test_validation_of_10000_rows_is_fast(batch: pd.DataFrame) -> None:
    big = clean_batch(rows=10_000)
    started = time.perf_counter()
    outcome = validate_cbam_shipment_batch(big)
    elapsed = time.perf_counter() - started
    print(f"\nGX suite on 10,000 rows: {elapsed:.2f} s, {outcome.evaluated} expectations")
    assert outcome.success, outcome.failed
    assert elapsed < 10
