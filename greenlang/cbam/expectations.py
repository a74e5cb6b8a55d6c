"""Great Expectations 1.x suite for one loaded batch of ``raw.customs__cbam_shipments``.

``dagster-ge`` pins GX < 1, so this module drives great-expectations 1.x directly: an ephemeral Data
Context, a pandas data source with one DataFrame asset and a whole-DataFrame batch definition, the
suite below and a ValidationDefinition tying them together. The row contract (``contracts.CBAMShipment``)
has already rejected malformed records into the dead letter; this suite is the second line of defence
on what actually landed in the raw table: batch-level properties the row contract cannot see
(uniqueness within the file, one tenant/batch/file per batch, plausible magnitudes) and the
regulatory scope rules of CBAM (Annex I goods, Annex III exempted origins, declarant established in
the Union).

Legal references: Regulation (EU) 2023/956 (the CBAM Regulation) and the implementing acts cited in
``greenlang/cbam/contracts.py`` (Implementing Regulation (EU) 2025/2547 on the CBAM declaration).

Usage::

    outcome = validate_cbam_shipment_batch(df)   # rows of one _batch_id, as a pandas DataFrame
    if not outcome.success:
        for failure in outcome.failed: ...

Only the suite's own copy of the batch is converted (decimals -> float64, dates and timestamps ->
datetime64[ns]); the caller's DataFrame is never modified.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import os
import threading
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

# GX 1.x reads this when a context is created; set it before great_expectations is imported anywhere
# in this process. (1.24 no longer ships an analytics client, the context config below also says no.)
os.environ["GX_ANALYTICS_ENABLED"] = "false"

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # great_expectations takes ~2 s to import: only pay for it when a suite is used
    import great_expectations as gx

__all__ = [
    "EXPECTED_COLUMNS",
    "SUITE_NAME",
    "SuiteOutcome",
    "build_cbam_shipment_suite",
    "validate_cbam_shipment_batch",
]

SUITE_NAME = "raw.customs__cbam_shipments.batch"

EXPECTED_COLUMNS: tuple[str, ...] = (
    "tenant_id",
    "declarant_eori",
    "declaration_id",
    "declaration_line",
    "import_date",
    "cn_code",
    "origin_country",
    "net_mass_tonnes",
    "customs_procedure",
    "installation_id",
    "actual_direct_see",
    "actual_indirect_see",
    "electricity_consumed_mwh",
    "carbon_price_paid_eur",
    "production_route",
    "_batch_id",
    "_source_uri",
    "_source_row",
    "_row_sha256",
    "_ingested_at",
)
REQUIRED_COLUMNS: tuple[str, ...] = (
    "tenant_id",
    "declarant_eori",
    "declaration_id",
    "declaration_line",
    "import_date",
    "cn_code",
    "origin_country",
    "net_mass_tonnes",
    "customs_procedure",
)
PROVENANCE_COLUMNS: tuple[str, ...] = (
    "_batch_id",
    "_source_uri",
    "_source_row",
    "_row_sha256",
    "_ingested_at",
)
# Columns the suite compares numerically / as instants; everything else is validated as received.
NUMERIC_COLUMNS: tuple[str, ...] = (
    "declaration_line",
    "net_mass_tonnes",
    "actual_direct_see",
    "actual_indirect_see",
    "electricity_consumed_mwh",
    "carbon_price_paid_eur",
    "_source_row",
)
INTEGER_COLUMNS: tuple[str, ...] = ("declaration_line", "_source_row")
DATETIME_COLUMNS: tuple[str, ...] = ("import_date", "_ingested_at")

REG = "Regulation (EU) 2023/956 (CBAM)"
IR_DECLARATION = "Implementing Regulation (EU) 2025/2547 (CBAM declaration)"

# Start of the CBAM transitional period (Regulation (EU) 2023/956, Art. 32, applying from 1 October
# 2023 under Art. 36): no earlier import can be a CBAM import.
CBAM_START = dt.datetime(2023, 10, 1)

# The 27 Member States (ISO 3166-1 alpha-2) plus "EL", the code the EU itself uses for Greece
# (EORI numbers of Greek operators start with EL).
EU_MEMBER_STATES: tuple[str, ...] = (
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "GR", "HR",
    "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
)  # fmt: skip
# Annex III, point 1: third countries participating in the EU ETS or with an ETS linked to it, whose
# goods are outside CBAM (Iceland, Liechtenstein, Norway, Switzerland). Point 2 adds the territories
# Büsingen, Heligoland, Livigno, Ceuta and Melilla; only Ceuta (XC) and Melilla (XL) have codes of
# their own in the Union's geonomenclature, the others are reported under DE / IT.
ANNEX_III_EXEMPT: tuple[str, ...] = ("CH", "IS", "LI", "NO", "XC", "XL")
# "EU" is not a country of origin of a CBAM import either: goods of Union origin are not imported.
NOT_THIRD_COUNTRIES: tuple[str, ...] = (*EU_MEMBER_STATES, "EU", *ANNEX_III_EXEMPT)

# Annex I of Regulation (EU) 2023/956: the goods in scope, as CN codes at the granularity the Annex
# lists them (4, 5, 6 or 8 digits). A code is in scope when it starts with one of these prefixes.
ANNEX_I_CN_PREFIXES: dict[str, tuple[str, ...]] = {
    "cement": ("25070080", "25231000", "25232100", "25232900", "25233000", "25239000"),
    "electricity": ("27160000",),
    "fertilisers": ("28080000", "2814", "28342100", "3102", "3105"),  # 3105 except 3105 60 00
    "iron_and_steel": (
        "26011200", "7201", "72021", "72024", "72026", "7203",
        *(f"72{n:02d}" for n in range(5, 30)),
        "7301", "7302", "730300", "7304", "7305", "7306", "7307", "7308", "730900", "7310", "731100",
        "7318", "7326",
    ),
    "aluminium": (
        "7601", "7603", "7604", "7605", "7606", "7607", "7608", "76090000", "7610", "76110000",
        "7612", "76130000", "7614", "7616",
    ),
    "hydrogen": ("28041000",),
}  # fmt: skip
ANNEX_I_HEADINGS: tuple[str, ...] = tuple(
    sorted({prefix[:4] for prefixes in ANNEX_I_CN_PREFIXES.values() for prefix in prefixes})
)

# UCC Delegated Regulation (EU) 2015/2446, Annex B, data element 1/10: requested procedure (2 digits)
# optionally followed by the previous procedure (2 digits). CBAM applies to importation, i.e. release
# for free circulation (Art. 2(1) and Art. 3 of Regulation (EU) 2023/956, Art. 201 UCC): requested
# procedures 01, 07, 40, 42, 43, 44, 45, 46, 48 and re-importation with release 61, 63, 68; and to
# goods and processed products under inward processing (Art. 2(1), Art. 256 UCC): 51.
CBAM_REQUESTED_PROCEDURES: tuple[str, ...] = (
    "01", "07", "40", "42", "43", "44", "45", "46", "48", "51", "61", "63", "68",
)  # fmt: skip

# Plausibility ceilings (not law: chosen so that unit errors - kg or g sent as tonnes - fail loudly).
MAX_NET_MASS_PER_LINE_T = 100_000
MAX_MEAN_NET_MASS_T = 25_000
MIN_MEAN_NET_MASS_T = 0.001
MAX_SEE_TCO2E_PER_T = 50  # the highest real values (hydrogen ~ 26, some ferro-alloys ~ 10) sit well below
MAX_ROWS_PER_BATCH = 10_000_000

# Regexes: anchored with ^ and \Z. `$` also matches before a trailing newline (Python re, and pandas
# 3 emulates that on its pyarrow string arrays), `\Z` does not; pandas 3.1 rewrites `\Z` to RE2's `\z`
# for pyarrow-backed strings. [0-9] not \d: \d matches any Unicode digit in Python's re.
_ISO_ALPHA2 = r"^[A-Z]{2}\Z"
_EORI = r"^[A-Z]{2}[A-Z0-9]{1,15}\Z"
_SHA256_HEX = r"^[0-9a-f]{64}\Z"
_CN8 = r"^[0-9]{8}\Z"
_PROCEDURE = r"^[0-9]{2}(?:[0-9]{2})?\Z"


def _alternation(codes: tuple[str, ...] | list[str]) -> str:
    return "|".join(sorted(set(codes)))


def _annex_i_cn8_regex() -> str:
    alternatives = []
    for prefixes in ANNEX_I_CN_PREFIXES.values():
        for prefix in prefixes:
            rest = 8 - len(prefix)
            if prefix == "3105":  # every 3105 code except subheading 3105 60 (CN 3105 60 00)
                alternatives.append("3105[0-57-9][0-9]{3}")
            else:
                alternatives.append(prefix + (f"[0-9]{{{rest}}}" if rest else ""))
    return rf"^(?:{'|'.join(alternatives)})\Z"


@dataclass(frozen=True)
class SuiteOutcome:
    """The result of validating one batch.

    ``failed`` holds one dict per unsuccessful expectation: ``expectation_type``, ``rule`` (the suite's
    stable name for it), ``column`` (a column name, a list of columns, or None for table-level ones),
    ``kwargs`` (as configured, JSON-friendly), ``observed_value``, ``unexpected_count``,
    ``unexpected_sample`` (at most 5 values) and ``exception`` (the message if GX could not evaluate it).
    """

    success: bool
    evaluated: int
    failed: list[dict] = field(default_factory=list)

    @property
    def failed_rules(self) -> list[str]:
        return [f["rule"] for f in self.failed]


# --------------------------------------------------------------------------------------------------
# The suite
# --------------------------------------------------------------------------------------------------


def build_cbam_shipment_suite() -> gx.ExpectationSuite:
    """A new ExpectationSuite for one batch of ``raw.customs__cbam_shipments`` (not bound to a context).

    Two bounds depend on the time of validation and are suite parameters: ``import_date_max`` (today +
    1 day, UTC) and ``ingested_at_max`` (now + 1 hour, UTC), both naive UTC datetimes;
    ``validate_cbam_shipment_batch`` supplies them. Every expectation's ``meta`` carries ``rule`` (a
    stable name), ``why`` and, where the rule comes from the law, ``source``.
    """
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column

    expectations: list[Any] = []

    def add(expectation_cls: type, rule: str, why: str, source: str | None = None, **kwargs: Any) -> None:
        meta = {"rule": rule, "why": why}
        if source:
            meta["source"] = source
        expectations.append(expectation_cls(meta=meta, **kwargs))

    # -- shape of the batch -----------------------------------------------------------------------
    add(
        gxe.ExpectTableColumnsToMatchSet,
        "columns_match_raw_table",
        "The batch must have exactly the columns of raw.customs__cbam_shipments (contract CBAMShipment "
        "1.0.0 + tenant and provenance columns, docs/design.md); a missing or extra column means the "
        "loader and the contract drifted apart. Order is not checked: SELECT * order is the DDL's.",
        column_set=list(EXPECTED_COLUMNS),
        exact_match=True,
    )
    add(
        gxe.ExpectTableRowCountToBeBetween,
        "row_count_plausible",
        f"A loaded batch has at least one row (an empty file is recorded in raw.load_batch, not "
        f"validated) and at most {MAX_ROWS_PER_BATCH:,} (the suite runs in memory on pandas).",
        min_value=1,
        max_value=MAX_ROWS_PER_BATCH,
    )

    # -- completeness -----------------------------------------------------------------------------
    required_why = {
        "tenant_id": (
            (
                "Every row carries its tenant from the raw layer up (docs/architecture.md, Tenancy); "
                "row-level security is keyed on it."
            ),
            None,
        ),
        "declarant_eori": (
            "The authorised CBAM declarant is identified by EORI in the declaration.",
            f"{REG}, Art. 5 and Art. 6(2); {IR_DECLARATION}",
        ),
        "declaration_id": (
            (
                "The customs declaration reference links the line to the customs data "
                "and the CBAM declaration to its imports."
            ),
            f"{REG}, Art. 6; {IR_DECLARATION}",
        ),
        "declaration_line": (
            "The item number identifies the goods line within the declaration.",
            f"{REG}, Art. 6(2)(a); {IR_DECLARATION}",
        ),
        "import_date": (
            "The date of release decides the reporting period / declaration year.",
            f"{REG}, Art. 6(1) and (2)",
        ),
        "cn_code": (
            "The CN code decides whether the good is in CBAM scope and which default values apply.",
            f"{REG}, Art. 2(1), Annex I",
        ),
        "origin_country": (
            "Country of origin decides scope (Annex III) and default values.",
            f"{REG}, Art. 2(1), Art. 7, Annex III",
        ),
        "net_mass_tonnes": (
            "Embedded emissions are specific emissions times quantity.",
            f"{REG}, Art. 6(2)(a), Art. 7, Annex IV",
        ),
        "customs_procedure": (
            "Only release for free circulation and inward processing are CBAM imports.",
            f"{REG}, Art. 2(1), Art. 3",
        ),
        "_batch_id": (
            "Provenance: _batch_id links every row to raw.load_batch (docs/architecture.md).",
            None,
        ),
        "_source_uri": ("Provenance: the file or API the row came from.", None),
        "_source_row": ("Provenance: the record number in the source, for tracing a fact to its line.", None),
        "_row_sha256": ("Provenance: hash of the canonical source record (docs/design.md).", None),
        "_ingested_at": ("Provenance: when the row was loaded (UTC); freshness checks rely on it.", None),
    }
    for column in (*REQUIRED_COLUMNS, *PROVENANCE_COLUMNS):
        why, source = required_why[column]
        add(gxe.ExpectColumnValuesToNotBeNull, f"{column}_not_null", why, source, column=column)

    # -- uniqueness and provenance ----------------------------------------------------------------
    add(
        gxe.ExpectCompoundColumnsToBeUnique,
        "declaration_line_unique_in_batch",
        "One goods item of one customs declaration appears once per file; two rows with the same "
        "(tenant, declarant, declaration, item) in one batch are a broker export error and would double "
        "count embedded emissions and CBAM certificates.",
        f"{REG}, Art. 6(2) (emissions per declared import)",
        column_list=["tenant_id", "declarant_eori", "declaration_id", "declaration_line"],
        ignore_row_if="any_value_is_missing",
    )
    add(
        gxe.ExpectColumnValuesToMatchRegex,
        "row_sha256_is_hex64",
        "_row_sha256 is a lowercase hex SHA-256 digest (64 characters); anything else means the "
        "hashing step was skipped or a different function was used.",
        column="_row_sha256",
        regex=_SHA256_HEX,
    )
    add(
        gxe.ExpectColumnValuesToBeUnique,
        "row_sha256_unique",
        "The same canonical record twice in one file is a duplicated send (concatenated exports); a "
        "conflicting duplicate is caught by declaration_line_unique_in_batch.",
        column="_row_sha256",
    )
    add(
        gxe.ExpectColumnValuesToBeUnique,
        "source_row_unique",
        "_source_row is the record number within one source file; a repeat means rows were "
        "renumbered, merged from two files or inserted twice.",
        column="_source_row",
    )
    add(
        gxe.ExpectColumnValuesToBeBetween,
        "source_row_positive",
        "_source_row is 1-based (record or line number, header excluded; docs/design.md).",
        column="_source_row",
        min_value=1,
    )
    for column, what in (
        ("tenant_id", "tenant"),
        ("_batch_id", "load batch"),
        ("_source_uri", "source file"),
        ("_ingested_at", "load time (the loader stamps every row with the batch's start)"),
    ):
        add(
            gxe.ExpectColumnUniqueValueCountToBeBetween,
            f"{column}_single_value",
            f"A batch is one file of one tenant loaded once: exactly one {what} per batch. More than one "
            f"means the batch filter leaked or rows of another load were mixed in"
            + (" - a cross-tenant leak." if column == "tenant_id" else "."),
            column=column,
            min_value=1,
            max_value=1,
        )
    add(
        gxe.ExpectColumnValuesToNotBeInSet,
        "tenant_not_global",
        "tenant_id 'global' is reserved for reference data loads (docs/design.md); shipment rows belong "
        "to a real tenant, or row-level security would show them to nobody or to everybody.",
        column="tenant_id",
        value_set=["global"],
    )

    # -- declarant and declaration ----------------------------------------------------------------
    add(
        gxe.ExpectColumnValuesToMatchRegex,
        "declarant_eori_format",
        "EORI: 2-letter country code of the issuing state + up to 15 alphanumerics.",
        "Implementing Regulation (EU) 2015/2447, Art. 6(1) (EORI structure); contract CBAMShipment",
        column="declarant_eori",
        regex=_EORI,
    )
    add(
        gxe.ExpectColumnValuesToMatchRegex,
        "declarant_eori_issued_in_member_state",
        "The authorised CBAM declarant is established in a Member State and registered with an EORI "
        "issued there; a GB, NO, CH ... EORI cannot be a CBAM declarant's.",
        f"{REG}, Art. 5(1), Art. 17",
        column="declarant_eori",
        regex=rf"^(?:{_alternation(EU_MEMBER_STATES)})[A-Z0-9]{{1,15}}\Z",
    )
    add(
        gxe.ExpectColumnValueLengthsToBeBetween,
        "declaration_id_length",
        "Customs declaration reference: an MRN is 18 characters, brokers' own references are accepted "
        "up to 35 (contract CBAMShipment).",
        column="declaration_id",
        min_value=1,
        max_value=35,
    )
    add(
        gxe.ExpectColumnValuesToBeBetween,
        "declaration_line_range",
        "Goods item number within a customs declaration: 1..9999 (UCC data element 1/6).",
        "Delegated Regulation (EU) 2015/2446, Annex B, D.E. 1/6",
        column="declaration_line",
        min_value=1,
        max_value=9999,
    )
    add(
        gxe.ExpectColumnValuesToMatchRegex,
        "customs_procedure_format",
        "Procedure code: requested procedure (2 digits), optionally + previous procedure (2 digits).",
        "Delegated Regulation (EU) 2015/2446, Annex B, D.E. 1/10",
        column="customs_procedure",
        regex=_PROCEDURE,
    )
    add(
        gxe.ExpectColumnValuesToMatchRegex,
        "customs_procedure_is_cbam_import",
        "Only importation (release for free circulation: requested procedure 01, 07, 4x, or "
        "re-importation 61/63/68) "
        "and inward processing (51) are CBAM imports; e.g. customs warehousing (71) or temporary "
        "admission (53) are not, and such lines should not be in a CBAM shipment feed.",
        f"{REG}, Art. 2(1) and Art. 3 ('importation'); Regulation (EU) No 952/2013, Art. 201 and 256",
        column="customs_procedure",
        regex=rf"^(?:{_alternation(CBAM_REQUESTED_PROCEDURES)})(?:[0-9]{{2}})?\Z",
    )
    add(
        gxe.ExpectColumnValuesToBeBetween,
        "import_date_in_cbam_period",
        "CBAM obligations start with the transitional period on 1 October 2023; an import date in the "
        "future (beyond tomorrow, for time zones) is a typo or a pre-lodged declaration that was not "
        "released.",
        f"{REG}, Art. 32 (transitional period from 1 October 2023), Art. 36",
        column="import_date",
        min_value=CBAM_START,
        max_value={"$PARAMETER": "import_date_max"},
    )

    # -- goods: CN code and origin ----------------------------------------------------------------
    add(
        gxe.ExpectColumnValuesToMatchRegex,
        "cn_code_8_digits",
        "CN codes are 8 digits (Council Regulation (EEC) No 2658/87); a 6-digit HS code or a code with "
        "dots/spaces cannot be matched to Annex I or to default values.",
        f"{REG}, Annex I; Council Regulation (EEC) No 2658/87",
        column="cn_code",
        regex=_CN8,
    )
    add(
        gxe.ExpectColumnValuesToMatchRegex,
        "cn_heading_in_annex_i",
        "The 4-digit heading must be one of the CBAM goods headings (cement, electricity, fertilisers, "
        "iron and steel, aluminium, hydrogen); other goods are out of scope and should not be in the "
        "feed.",
        f"{REG}, Art. 2(1), Annex I",
        column="cn_code",
        regex=rf"^(?:{_alternation(ANNEX_I_HEADINGS)})",
    )
    add(
        gxe.ExpectColumnValuesToMatchRegex,
        "cn_code_in_annex_i",
        "The full code must be covered by an Annex I entry at the granularity the Annex lists it: "
        "e.g. 7202 only ferro-manganese (7202 1), ferro-chromium (7202 4) and ferro-nickel (7202 6); "
        "2507 only 2507 00 80; 2601 only 2601 12 00; 2804 only hydrogen 2804 10 00; 3105 except "
        "3105 60 00; ferrous scrap 7204 and aluminium waste 7602 are not CBAM goods.",
        f"{REG}, Art. 2(1), Annex I",
        column="cn_code",
        regex=_annex_i_cn8_regex(),
    )
    add(
        gxe.ExpectColumnValuesToMatchRegex,
        "origin_country_format",
        "Country of origin as ISO 3166-1 alpha-2 (upper case).",
        f"{IR_DECLARATION}; contract CBAMShipment",
        column="origin_country",
        regex=_ISO_ALPHA2,
    )
    add(
        gxe.ExpectColumnValuesToNotBeInSet,
        "origin_is_cbam_third_country",
        "CBAM applies to goods originating in third countries: not the Member States (goods of Union "
        "origin are not CBAM imports), not 'EU', and not the countries and territories of Annex III "
        "(Iceland, Liechtenstein, Norway, Switzerland; Ceuta XC, Melilla XL).",
        f"{REG}, Art. 2, Annex III",
        column="origin_country",
        value_set=list(NOT_THIRD_COUNTRIES),
    )

    # -- quantities -------------------------------------------------------------------------------
    add(
        gxe.ExpectColumnValuesToBeBetween,
        "net_mass_positive",
        "The net mass of an imported good is strictly positive; zero or negative mass is a sign or "
        "unit error and would yield zero embedded emissions.",
        f"{REG}, Art. 6(2)(a), Art. 7",
        column="net_mass_tonnes",
        min_value=0,
        strict_min=True,
    )
    add(
        gxe.ExpectColumnValuesToBeBetween,
        "net_mass_plausible_ceiling",
        f"Plausibility: more than {MAX_NET_MASS_PER_LINE_T:,} t on one declaration line (a large bulk "
        f"carrier's whole cargo) almost always means kilograms sent as tonnes.",
        column="net_mass_tonnes",
        max_value=MAX_NET_MASS_PER_LINE_T,
    )
    add(
        gxe.ExpectColumnMeanToBeBetween,
        "net_mass_mean_plausible",
        f"Plausibility of the whole file: a mean line mass outside {MIN_MEAN_NET_MASS_T}.."
        f"{MAX_MEAN_NET_MASS_T:,} t means the file's unit is wrong (kg or g as tonnes, or tonnes as "
        f"kt) even if no single line crosses a ceiling.",
        column="net_mass_tonnes",
        min_value=MIN_MEAN_NET_MASS_T,
        max_value=MAX_MEAN_NET_MASS_T,
    )
    for column, kind in (("actual_direct_see", "direct"), ("actual_indirect_see", "indirect")):
        add(
            gxe.ExpectColumnValuesToBeBetween,
            f"{column}_range",
            f"Actual specific {kind} embedded emissions, tCO2e per tonne of good, are >= 0 and below "
            f"{MAX_SEE_TCO2E_PER_T} (hydrogen, the most intensive CBAM good, is ~26); above that the "
            f"value is per consignment or in kgCO2e.",
            f"{REG}, Art. 7, Annex IV (specific embedded emissions)",
            column=column,
            min_value=0,
            max_value=MAX_SEE_TCO2E_PER_T,
        )
    add(
        gxe.ExpectColumnValuesToBeNull,
        "indirect_see_needs_direct_see",
        "Indirect emissions are only communicated together with the direct ones (same cross-field "
        "rule as contract CBAMShipment's row_rules_sql).",
        f"{REG}, Annex IV",
        column="actual_indirect_see",
        row_condition=Column("actual_direct_see").is_null(),
    )
    add(
        gxe.ExpectColumnValuesToNotBeNull,
        "installation_id_with_actual_see",
        "Actual embedded emissions are determined per installation and come from its operator; "
        "without the installation they cannot be verified or traced, and default values apply.",
        f"{REG}, Art. 7, Art. 8, Art. 10, Annex IV",
        column="installation_id",
        row_condition=Column("actual_direct_see").is_not_null(),
    )
    add(
        gxe.ExpectColumnValueLengthsToBeBetween,
        "installation_id_length",
        "When present, the installation identifier is non-empty text of at most 512 characters "
        "(contract Text type); an empty string would pass not-null checks downstream.",
        column="installation_id",
        min_value=1,
        max_value=512,
    )
    add(
        gxe.ExpectColumnValuesToBeBetween,
        "electricity_non_negative",
        "Electricity consumed for production (MWh) cannot be negative.",
        f"{REG}, Annex IV",
        column="electricity_consumed_mwh",
        min_value=0,
    )
    add(
        gxe.ExpectColumnValuesToBeBetween,
        "carbon_price_non_negative",
        "A carbon price effectively paid in the country of origin is a payment, never negative; "
        "rebates and compensation are deducted before it is claimed.",
        f"{REG}, Art. 9",
        column="carbon_price_paid_eur",
        min_value=0,
    )
    add(
        gxe.ExpectColumnValuesToBeBetween,
        "ingested_at_plausible",
        "_ingested_at is the load time in UTC: not before CBAM existed and not in the future (1 h of "
        "clock skew allowed); anything else means a local-time or epoch-unit bug in the loader.",
        column="_ingested_at",
        min_value=CBAM_START,
        max_value={"$PARAMETER": "ingested_at_max"},
    )

    suite = gx.ExpectationSuite(
        name=SUITE_NAME,
        # Passed to the constructor: ExpectationSuite.add_expectation() needs an active Data Context in
        # GX 1.24 (it checks whether the suite was saved), the constructor does not.
        expectations=expectations,
        meta={
            "table": "raw.customs__cbam_shipments",
            "contract": "CBAMShipment 1.0.0",
            "grain": "one _batch_id",
            "parameters": {
                "import_date_max": "naive UTC datetime: start of today + 1 day",
                "ingested_at_max": "naive UTC datetime: now + 1 hour",
            },
        },
    )
    return suite


# --------------------------------------------------------------------------------------------------
# Running it
# --------------------------------------------------------------------------------------------------

_RUN_LOCK = threading.Lock()
_SAMPLE = 5


@functools.lru_cache(maxsize=1)
def _validation_definition() -> Any:
    """One ephemeral context per process: pandas data source -> DataFrame asset -> whole-DataFrame
    batch definition, the suite, and the ValidationDefinition joining them."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    context = gx.get_context(
        mode="ephemeral",
        project_config=DataContextConfig(
            store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
            analytics_enabled=False,
            progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
        ),
    )
    asset = context.data_sources.add_pandas(name="greenlang_raw").add_dataframe_asset(
        name="customs__cbam_shipments"
    )
    batch_definition = asset.add_batch_definition_whole_dataframe(name="one_batch")
    suite = context.suites.add(build_cbam_shipment_suite())
    validation_definition = context.validation_definitions.add(
        gx.ValidationDefinition(name="cbam_shipment_batch", data=batch_definition, suite=suite)
    )
    return context, validation_definition


def _to_number(series: pd.Series, integral: bool) -> pd.Series:
    """Decimal / int / numeric text -> float64 (NaN for nulls), or int64 for an integer column without
    nulls. If any non-null value does not convert, the column is returned as received so the numeric
    expectations on it fail with an exception instead of the bad value silently turning into a null.

    Both dtypes matter: GX 1.24 vectorises between-checks only for numpy int/float columns, and its
    own Decimal handling in column aggregates (mean) crashes on a None among Decimals."""
    if pd.api.types.is_float_dtype(series.dtype) and not integral:
        return series.astype("float64")
    converted = pd.to_numeric(series, errors="coerce")
    lost = series.notna() & converted.isna()
    if lost.any() and not all(_is_nan_like(value) for value in series[lost]):
        return series
    converted = converted.astype("float64")
    if integral and converted.notna().all() and (converted == np.floor(converted)).all():
        return converted.astype("int64")  # keeps samples readable (line 7, not 7.0)
    return converted


def _is_nan_like(value: Any) -> bool:
    if isinstance(value, Decimal):
        return value.is_nan()
    return isinstance(value, float) and math.isnan(value)


def _to_naive_utc_ns(series: pd.Series) -> pd.Series:
    """date / datetime (naive = UTC, or aware) / ISO text -> naive UTC datetime64[ns].

    [ns] matters: GX 1.24 only takes its vectorised path for datetime64[ns] columns; pandas 3 infers
    [s]/[us] from Python dates, which sends every value through a Python-level comparison."""
    try:
        converted = pd.to_datetime(series, utc=True, errors="coerce")
    except (TypeError, ValueError):
        return series
    if (series.notna() & converted.isna()).any():
        return series
    return converted.dt.tz_localize(None).astype("datetime64[ns]")


def _prepare(df: pd.DataFrame) -> pd.DataFrame:
    """The suite's own copy of the batch with comparable dtypes; string columns stay as received."""
    prepared = df.copy(deep=False)
    for column in NUMERIC_COLUMNS:
        if column in prepared.columns:
            prepared[column] = _to_number(prepared[column], integral=column in INTEGER_COLUMNS)
    for column in DATETIME_COLUMNS:
        if column in prepared.columns:
            prepared[column] = _to_naive_utc_ns(prepared[column])
    return prepared.reset_index(drop=True)


def _json_friendly(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return _json_friendly(value.item())
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _json_friendly(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_json_friendly(v) for v in value]
    if value is pd.NaT or value is pd.NA:
        return None
    return str(value)


def _failure(result: Any) -> dict:
    config = result.expectation_config
    kwargs = {k: v for k, v in config.kwargs.items() if k != "batch_id"}
    if "row_condition" in kwargs and kwargs["row_condition"] is not None:
        kwargs["row_condition"] = repr(kwargs["row_condition"])
    res = result.result or {}
    exception = None
    info = result.exception_info or {}
    if info.get("raised_exception"):
        exception = info.get("exception_message")
    else:  # metric errors are keyed by metric id
        for value in info.values():
            if isinstance(value, dict) and value.get("raised_exception"):
                exception = value.get("exception_message")
                break
    sample = res.get("partial_unexpected_list")
    if sample is None and "details" in res:  # table columns mismatch
        sample = res["details"].get("mismatched")
    return {
        "expectation_type": config.type,
        "rule": (config.meta or {}).get("rule"),
        "column": kwargs.get("column", kwargs.get("column_list")),
        "kwargs": _json_friendly(kwargs),
        "observed_value": _json_friendly(res.get("observed_value")),
        "unexpected_count": _json_friendly(res.get("unexpected_count")),
        "unexpected_sample": _json_friendly(sample[:_SAMPLE] if isinstance(sample, list) else sample),
        "exception": exception,
    }


def validate_cbam_shipment_batch(df: pd.DataFrame) -> SuiteOutcome:
    """Validate the rows of one ``_batch_id`` of ``raw.customs__cbam_shipments``.

    Thread-safe (one run at a time per process); does not modify ``df``.
    """
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    parameters = {
        "import_date_max": dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time()),
        "ingested_at_max": now + dt.timedelta(hours=1),
    }
    batch = _prepare(df)
    with _RUN_LOCK:
        context, validation_definition = _validation_definition()
        result = validation_definition.run(
            batch_parameters={"dataframe": batch},
            expectation_parameters=parameters,
            result_format={"result_format": "SUMMARY", "partial_unexpected_count": _SAMPLE},
        )
        # The ephemeral context keeps every result in memory; drop them so a long-running Dagster
        # process does not grow with each batch validated.
        store = context.validation_results_store
        for key in store.list_keys():
            store.remove_key(key)
    failed = [_failure(r) for r in result.results if not r.success]
    return SuiteOutcome(
        success=bool(result.success),
        evaluated=int(result.statistics["evaluated_expectations"]),
        failed=failed,
    )
