"""One customs declaration line of a CBAM good imported into the EU.

Fields follow what an importer's customs broker can supply and what the CBAM declaration needs
(Regulation (EU) 2023/956, Art. 6 and Annex IV; Implementing Regulation (EU) 2025/2547 on the
declaration): declarant EORI, the customs declaration (MRN) and its item number, the CN code (8 digits
of the Combined Nomenclature, Council Regulation (EEC) No 2658/87), country of origin (ISO 3166-1
alpha-2), net mass, customs procedure and, when the operator communicated them, the installation's
actual specific embedded emissions (tCO2e per tonne of good, Annex IV).
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import BeforeValidator, Field, StringConstraints, model_validator

from contracts.base import (
    Contract,
    CountryAlpha2,
    IsoDate,
    OptionalNonNegativeDecimal,
    OptionalText,
    PositiveDecimal,
    upper_code,
)

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
    contract_name: ClassVar[str] = "CBAMShipment"
    contract_version: ClassVar[str] = "1.0.0"
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

    @model_validator(mode="after")
    def _indirect_needs_direct(self) -> CBAMShipment:
        if self.actual_indirect_see is not None and self.actual_direct_see is None:
            raise ValueError("actual_indirect_see given without actual_direct_see")
        return self
