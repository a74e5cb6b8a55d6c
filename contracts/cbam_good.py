"""One CBAM good: a CN heading, subheading or code of the goods list in the default-value workbook.

The layout is that of the CN list of the "Other countries and territories" sheet of the Commission's
default-value workbook for Implementing Regulation (EU) 2025/2621 ("DVs as adopted", version
2026-02-04): sector, CN code, description and the production route that determines the benchmark.
It is the best machine-readable list of the goods of Annex I of Regulation (EU) 2023/956 the
Commission publishes; electricity (CN 2716 00 00) has no default value there and so is not in it.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from contracts.base import Contract, Text
from contracts.cbam_default_value import CnHeadingOrCode, OptionalRouteCode


class CBAMGood(Contract):
    contract_name: ClassVar[str] = "CBAMGood"
    contract_version: ClassVar[str] = "1.0.0"

    sector: Text = Field(description="CBAM sector of Annex I of Regulation (EU) 2023/956")
    cn_code: CnHeadingOrCode = Field(description="CN heading, subheading or code: 4, 6 or 8 digits")
    description: Text = Field(description="Description of the goods")
    route_code: OptionalRouteCode = Field(
        default=None, description="Production route determining the CBAM benchmark, e.g. (A)"
    )
