"""The CBAM contracts: customs declaration lines, and the Commission's default values and goods list."""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar

from pydantic import AliasChoices, BeforeValidator, Field, StringConstraints, model_validator

from greenlang.core.contract import (
    Contract,
    CountryAlpha2,
    IsoDate,
    OptionalNonNegativeDecimal,
    OptionalText,
    PositiveDecimal,
    Text,
    blank_to_none,
    upper_code,
)

# The default-value table lists CN headings (4 digits) and subheadings (6) as well as full 8-digit CN
# codes (Council Regulation (EEC) No 2658/87); a heading covers every code below it.
CnHeadingOrCode = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{4}([0-9]{2}){0,2}$")
]
# Production routes are published as one capital letter in brackets, "(A)" … "(L)", the route labels of
# the benchmarks in Implementing Regulation (EU) 2025/2620.
RouteCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\([A-Z]\)$")]
OptionalRouteCode = Annotated[RouteCode | None, BeforeValidator(blank_to_none)]
# A published figure as written (digits, one decimal point or comma): its number of decimals is the
# precision the publisher rounded it to, which the exact decimal column cannot keep ("3.0" reads as 3).
PublishedFigureText = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]+([.,][0-9]+)?$", max_length=40)
]
OptionalPublishedFigureText = Annotated[PublishedFigureText | None, BeforeValidator(blank_to_none)]

# The published columns of the figures: (field, the names a delivery may give its column).
_PUBLISHED_FIGURE_COLUMNS = {
    "default_value_direct": ("default_value_direct", "default_value_direct_emissions"),
    "default_value_indirect": ("default_value_indirect", "default_value_indirect_emissions"),
    "default_value_total": ("default_value_total", "default_value_total_emissions"),
    "default_value_2026": ("default_value_2026", "2026_default_value_including_mark_up"),
    "default_value_2027": ("default_value_2027", "2027_default_value_including_mark_up"),
    "default_value_2028": ("default_value_2028", "2028_default_value_including_mark_up"),
}


def _published_text(figure: str) -> Any:
    """The text of a figure's published column, kept beside its exact value for its precision."""
    return Field(
        default=None,
        validation_alias=AliasChoices(f"{figure}_published", *_PUBLISHED_FIGURE_COLUMNS[figure]),
        description=f"{figure} as written in the publication: its decimals are the precision it was rounded "
        "to (the tolerance of the consistency rules, int_cbam__default_values_checked)",
    )


class CBAMDefaultValue(Contract):
    """One row of the Commission's CBAM default values for the definitive period.

    The layout is that of the published table of Implementing Regulation (EU) 2025/2621 (workbook "DVs as
    adopted", version 2026-02-04): per country of origin and CN code, the default specific embedded
    emissions in tCO2e per tonne of good — direct, indirect and total — the total with the mark-up that
    applies in 2026, 2027 and 2028, and the production route that determines the CBAM benchmark
    (Implementing Regulation (EU) 2025/2620).

    The raw layer keeps rows as published: blank figures stay blank and the arithmetic between the columns
    (total = direct + indirect, the yearly mark-ups) is not enforced here; dbt flags rows that break it.
    Only what cannot be a published value is rejected: a figure that is not a non-negative number, a CN
    code that is not 4, 6 or 8 digits, an empty country, sector or description.
    """

    contract_name: ClassVar[str] = "CBAMDefaultValue"
    # 1.1.0: each figure's published text (its decimals: the publication's precision)
    contract_version: ClassVar[str] = "1.1.0"

    country: Text = Field(
        description='Country of origin as published ("Country"); "_Other Countries and Territorie" is the '
        "row for countries without their own values (the name is cut at 31 characters in the workbook)"
    )
    sector: Text = Field(description='CBAM sector of Annex I of Regulation (EU) 2023/956 ("Sector")')
    product_cn_code: CnHeadingOrCode = Field(
        description='CN heading, subheading or code: 4, 6 or 8 digits ("Product CN Code")'
    )
    description: Text = Field(description='Description of the goods ("Description")')
    default_value_direct: OptionalNonNegativeDecimal = Field(
        default=None,
        validation_alias=AliasChoices("default_value_direct", "default_value_direct_emissions"),
        description='Default direct specific embedded emissions, tCO2e/t ("Default Value (direct emissions)")',
    )
    default_value_indirect: OptionalNonNegativeDecimal = Field(
        default=None,
        validation_alias=AliasChoices("default_value_indirect", "default_value_indirect_emissions"),
        description="Default indirect specific embedded emissions, tCO2e/t "
        '("Default Value (Indirect emissions)")',
    )
    default_value_total: OptionalNonNegativeDecimal = Field(
        default=None,
        validation_alias=AliasChoices("default_value_total", "default_value_total_emissions"),
        description='Default total specific embedded emissions, tCO2e/t ("Default Value (total emissions)")',
    )
    default_value_2026: OptionalNonNegativeDecimal = Field(
        default=None,
        validation_alias=AliasChoices("default_value_2026", "2026_default_value_including_mark_up"),
        description="Default value applicable in 2026 including the mark-up, tCO2e/t "
        '("2026 Default Value (Including mark-up)")',
    )
    default_value_2027: OptionalNonNegativeDecimal = Field(
        default=None,
        validation_alias=AliasChoices("default_value_2027", "2027_default_value_including_mark_up"),
        description="Default value applicable in 2027 including the mark-up, tCO2e/t "
        '("2027 Default Value (Including mark-up)")',
    )
    default_value_2028: OptionalNonNegativeDecimal = Field(
        default=None,
        validation_alias=AliasChoices("default_value_2028", "2028_default_value_including_mark_up"),
        description="Default value applicable in 2028 including the mark-up, tCO2e/t "
        '("2028 Default Value (Including mark-up)")',
    )
    production_route: OptionalRouteCode = Field(
        default=None,
        validation_alias=AliasChoices("production_route", "underlying_production_route_determining_cbam_bm"),
        description="Production route determining the CBAM benchmark, e.g. (A) "
        '("Underlying production route determining CBAM BM")',
    )
    default_value_direct_published: OptionalPublishedFigureText = _published_text("default_value_direct")
    default_value_indirect_published: OptionalPublishedFigureText = _published_text("default_value_indirect")
    default_value_total_published: OptionalPublishedFigureText = _published_text("default_value_total")
    default_value_2026_published: OptionalPublishedFigureText = _published_text("default_value_2026")
    default_value_2027_published: OptionalPublishedFigureText = _published_text("default_value_2027")
    default_value_2028_published: OptionalPublishedFigureText = _published_text("default_value_2028")


class CBAMGood(Contract):
    """One CBAM good: a CN heading, subheading or code of the goods list in the default-value workbook.

    The layout is that of the CN list of the "Other countries and territories" sheet of the Commission's
    default-value workbook for Implementing Regulation (EU) 2025/2621 ("DVs as adopted", version
    2026-02-04): sector, CN code, description and the production route that determines the benchmark.
    It is the best machine-readable list of the goods of Annex I of Regulation (EU) 2023/956 the
    Commission publishes; electricity (CN 2716 00 00) has no default value there and so is not in it.
    """

    contract_name: ClassVar[str] = "CBAMGood"
    contract_version: ClassVar[str] = "1.0.0"

    sector: Text = Field(description="CBAM sector of Annex I of Regulation (EU) 2023/956")
    cn_code: CnHeadingOrCode = Field(description="CN heading, subheading or code: 4, 6 or 8 digits")
    description: Text = Field(description="Description of the goods")
    route_code: OptionalRouteCode = Field(
        default=None, description="Production route determining the CBAM benchmark, e.g. (A)"
    )


# A benchmark of column B as published: a number with a decimal comma (or point), then optionally the
# production route letter in brackets and/or a numbered variant in brackets: "0,666", "0,666 (A)",
# "0,717 (1)", "1,298 (F)(2)" (Implementing Regulation (EU) 2025/2620, Annex). At most 26 digits before
# the decimal mark and 12 after: what the staging model's decimal(38,12) holds exactly.
BenchmarkText = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, pattern=r"^[0-9]{1,26}([.,][0-9]{1,12})? ?(\([A-Z]\))?(\([0-9]\))?$"
    ),
]
OptionalBenchmarkText = Annotated[BenchmarkText | None, BeforeValidator(blank_to_none)]
# An 8-digit CN code as the benchmark table writes it on a benchmark's line.
_BENCHMARK_CN_CODE = re.compile(r"^[0-9]{8}$")


class CBAMBenchmark(Contract):
    """One line of the CBAM benchmarks, column B, of the Annex to Implementing Regulation (EU) 2025/2620
    (the benchmarks of the free allocation adjustment, Article 31 of Regulation (EU) 2023/956).

    The layout is that of the published table: two columns, "CN code" and "Column B". A benchmark's line
    gives an 8-digit CN code and the benchmark in tCO2e per tonne of good as written, with a decimal
    comma and the suffixes that tell apart several benchmarks of one CN code: the production route
    letter, e.g. "0,666 (A)", and/or a numbered variant, e.g. "0,717 (1)", "1,298 (F)(2)". The table
    is cut into sections by a heading line that names the sector ("Cement", "Iron & Steel") and by
    empty separator lines (";"): both are kept as published, with no figure, so that the staging model
    can give every benchmark the sector of the heading above it (stg_cbam__benchmarks) and the ledger
    counts every line of the file as loaded.

    Rejected: a figure without an 8-digit CN code, an 8-digit CN code without a figure, a figure that
    is not a number with the suffixes above.
    """

    contract_name: ClassVar[str] = "CBAMBenchmark"
    contract_version: ClassVar[str] = "1.0.0"
    row_rules_sql: ClassVar[tuple[tuple[str, str], ...]] = (
        (
            "column_b is not null and not regexp_full_match(coalesce(cn_code, ''), '[0-9]{8}')",
            "a benchmark needs an 8-digit CN code",
        ),
        (
            "column_b is null and regexp_full_match(coalesce(cn_code, ''), '[0-9]+')",
            "a CN code without a benchmark",
        ),
    )

    cn_code: OptionalText = Field(
        default=None,
        description="\"CN code\": the 8-digit CN code of a benchmark's line; the sector's name on a heading "
        'line ("Cement", "Iron & Steel"); empty on a separator line',
    )
    column_b: OptionalBenchmarkText = Field(
        default=None,
        description='"Column B": the benchmark in tCO2e per tonne of good as published, with its decimal '
        'comma and its route letter and/or numbered variant, e.g. "0,666 (A)", "1,298 (F)(2)"; empty on '
        "heading and separator lines",
    )

    @model_validator(mode="after")
    def _figure_needs_code(self) -> CBAMBenchmark:
        is_code = self.cn_code is not None and _BENCHMARK_CN_CODE.match(self.cn_code) is not None
        if self.column_b is not None and not is_code:
            raise ValueError("a benchmark needs an 8-digit CN code")
        if self.column_b is None and self.cn_code is not None and self.cn_code.isdigit():
            raise ValueError("a CN code without a benchmark")
        return self


# EORI: ISO country code of the issuing member state + up to 15 alphanumerics (Commission
# Implementing Regulation (EU) 2015/2447, Art. 6(1)).
Eori = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}[A-Z0-9]{1,15}$"), BeforeValidator(upper_code)]
# Customs declaration reference (MRN is 18 characters; brokers' own references are allowed up to 35).
DeclarationId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=35)]
CnCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{8}$")]
# Requested procedure (2 digits) optionally followed by the previous procedure (2 digits), UCC Annex B
# data element 1/10, e.g. "40" or "4000" release for free circulation, "51" inward processing.
CustomsProcedure = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{2}([0-9]{2})?$")]


class CBAMShipment(Contract):
    """One customs declaration line of a CBAM good imported into the EU.

    Fields follow what an importer's customs broker can supply and what the CBAM declaration needs
    (Regulation (EU) 2023/956, Art. 6 and Annex IV; Implementing Regulation (EU) 2025/2547 on the
    declaration): declarant EORI, the customs declaration (MRN) and its item number, the CN code (8 digits
    of the Combined Nomenclature, Council Regulation (EEC) No 2658/87), country of origin (ISO 3166-1
    alpha-2), net mass, customs procedure and, when the operator communicated them, the installation's
    actual specific embedded emissions (tCO2e per tonne of good, Annex IV).
    """

    contract_name: ClassVar[str] = "CBAMShipment"
    # 1.1.0: production_route (picks the default value row where several share a CN code)
    contract_version: ClassVar[str] = "1.1.0"
    row_rules_sql: ClassVar[tuple[tuple[str, str], ...]] = (
        (
            "actual_indirect_see is not null and actual_direct_see is null",
            "actual_indirect_see given without actual_direct_see",
        ),
    )

    declarant_eori: Eori = Field(description="EORI number of the authorised CBAM declarant")
    declaration_id: DeclarationId = Field(description="Customs declaration reference (MRN)")
    declaration_line: int = Field(ge=1, le=9999, description="Goods item number within the declaration")
    import_date: IsoDate = Field(description="Date of release for free circulation")
    cn_code: CnCode = Field(description="Combined Nomenclature code, 8 digits")
    origin_country: CountryAlpha2 = Field(description="Country of origin, ISO 3166-1 alpha-2")
    net_mass_tonnes: PositiveDecimal = Field(description="Net mass of the goods in tonnes")
    customs_procedure: CustomsProcedure = Field(description="Customs procedure code")
    installation_id: OptionalText = Field(
        default=None, description="Identifier of the production installation (CBAM registry)"
    )
    actual_direct_see: OptionalNonNegativeDecimal = Field(
        default=None, description="Actual specific direct embedded emissions, tCO2e per tonne"
    )
    actual_indirect_see: OptionalNonNegativeDecimal = Field(
        default=None, description="Actual specific indirect embedded emissions, tCO2e per tonne"
    )
    electricity_consumed_mwh: OptionalNonNegativeDecimal = Field(
        default=None, description="Electricity consumed to produce the goods of this line, MWh"
    )
    carbon_price_paid_eur: OptionalNonNegativeDecimal = Field(
        default=None, description="Carbon price effectively paid in the country of origin, EUR (Art. 9)"
    )
    production_route: OptionalRouteCode = Field(
        default=None,
        description="Production route of the goods as labelled in the default values and benchmarks, e.g. "
        "(A) grey / (B) white clinker (Implementing Regulations (EU) 2025/2621 and 2025/2620): it picks the "
        "default value row where several share a CN code; unknown: the highest of them is used",
    )

    @model_validator(mode="after")
    def _indirect_needs_direct(self) -> CBAMShipment:
        if self.actual_indirect_see is not None and self.actual_direct_see is None:
            raise ValueError("actual_indirect_see given without actual_direct_see")
        return self
