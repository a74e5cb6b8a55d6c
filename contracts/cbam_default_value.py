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

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import AliasChoices, BeforeValidator, Field, StringConstraints

from contracts.base import Contract, OptionalNonNegativeDecimal, Text, blank_to_none

# The default-value table lists CN headings (4 digits) and subheadings (6) as well as full 8-digit CN
# codes (Council Regulation (EEC) No 2658/87); a heading covers every code below it.
CnHeadingOrCode = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{4}([0-9]{2}){0,2}$")
]
# Production routes are published as one capital letter in brackets, "(A)" … "(L)", the route labels of
# the benchmarks in Implementing Regulation (EU) 2025/2620.
RouteCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\([A-Z]\)$")]
OptionalRouteCode = Annotated[RouteCode | None, BeforeValidator(blank_to_none)]


class CBAMDefaultValue(Contract):
    contract_name: ClassVar[str] = "CBAMDefaultValue"
    contract_version: ClassVar[str] = "1.0.0"

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
