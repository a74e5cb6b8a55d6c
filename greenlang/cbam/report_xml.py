"""CBAM quarterly report XML (transitional period, Implementing Regulation (EU) 2023/1773) per declarant and
quarter, valid against the Commission's QReport 17.03 schema (``greenlang.cbam.report_schema``).

Built from ``marts.fct_cbam_imports`` (with ``marts.dim_cbam_good`` for the CN descriptions): one
``ImportedGood`` per CN code and country of origin; in it one ``ImportedQuantity`` per customs procedure and
one ``GoodsEmissions`` per installation and method pair (actual or default, direct and indirect).

What the warehouse does not hold is configuration (``CbamReportConfig``, a JSON file named by
``GREENLANG_CBAM_REPORT_CONFIG``; nothing is defaulted): the declarant's name, role and address, the
national competent authority, the signatory and confirmations, the installations' names, the production
method of each good, and the registry's code values (units, determination types, import area, methodology,
electricity source). A report that needs a value the configuration lacks is not written; the error names
what to configure.

Decimal rules (QReport_ver17.03.xsd / stypes_ver17.03.xsd; every figure is computed with ``Decimal`` from
the marts' exact decimal(38,12) values, then quantized once, ROUND_HALF_UP):
- masses: ``MeasureType/NetMass`` and ``MeasureProcedureType/NetMass`` are ``dec16-6`` (totalDigits 16,
  fractionDigits 6): the exact sum of the lines' net mass, rounded to 6 places;
- ``QReport/TotalEmissions`` is ``dec16-7`` (totalDigits 16, fractionDigits 7). The goods' and installations'
  ``TotalDirect`` / ``TotalIndirect`` are ``xs:decimal`` (no facet); they are rounded to the same 7 places,
  so that the report total is their exact sum; ``OverallEmissions`` = ``TotalDirect`` + ``TotalIndirect``
  of the rounded figures (exact), so every total in the file adds up;
- per-tonne figures: ``DirectEmissions/SpecificEmbeddedEmissions`` is ``dec16-7``; the indirect one and
  ``TotalEmissionsType/EmissionsPerUnit`` are ``xs:decimal``: all three are the exact emissions divided by
  the exact mass, rounded to 7 places (the one precision the schema gives a per-tonne figure);
- a figure with more than 16 digits (9 before the point at 7 places, 10 at 6) cannot be written: an error.

Emissions in the report are the direct and indirect embedded emissions of Annex IV of Regulation (EU)
2023/956 (``embedded_direct``, ``embedded_indirect``); the definitive period's default-value mark-up
(``embedded_markup``) has no element in the transitional report and is not reported. Lines whose emissions
are missing (no actual data, no usable default value) cannot be reported: they are left out and counted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from greenlang.cbam.report_schema import NAMESPACE

MASS_PLACES = 6  # dec16-6: MeasureType/NetMass, MeasureProcedureType/NetMass
EMISSIONS_PLACES = 7  # dec16-7: QReport/TotalEmissions, DirectEmissions/SpecificEmbeddedEmissions
TOTAL_DIGITS = 16  # dec16-6 and dec16-7: totalDigits
REPORTED_METHODS = ("actual", "default")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Address(_Frozen):
    """AddressType: Country (a2) and City (an..35) required."""

    country: str = Field(min_length=2, max_length=2)
    city: str = Field(min_length=1, max_length=35)
    sub_division: str | None = None
    street: str | None = None
    number: str | None = None
    postcode: str | None = None


class Signatory(_Frozen):
    """ReportConfirmationType: the declarant's confirmations and who signs, where."""

    global_data_confirmation: bool
    use_of_data_confirmation: bool
    place: str = Field(min_length=1, max_length=128)
    name: str = Field(min_length=1, max_length=128)
    position: str = Field(min_length=1, max_length=128)


class Declarant(_Frozen):
    name: str = Field(min_length=1, max_length=70)
    role: str = Field(min_length=1, max_length=5, description="DeclarantType/Role, the registry's code")
    address: Address
    national_competent_authority: str = Field(min_length=1, max_length=128)
    signatory: Signatory


class ProductionMethod(_Frozen):
    """ProdMethodQualifyingParamsType: MethodId and MethodName (the registry's production-route codes)."""

    method_id: str = Field(min_length=1, max_length=5)
    method_name: str = Field(min_length=1, max_length=256)


class ReportCodes(_Frozen):
    """The registry's code values the schema types only as ``an..5``/``an2``: not in any file of
    ../shared/data beyond the Commission's sample report, so a deployment configures them."""

    tonnes_unit: str = Field(min_length=1, max_length=5)
    emissions_unit: str = Field(min_length=1, max_length=5)
    import_area: str = Field(min_length=1, max_length=5)
    procedure_indicator: int = Field(ge=0, le=9)
    determination_actual: str = Field(min_length=1, max_length=5)
    determination_default: str = Field(min_length=1, max_length=5)
    reporting_methodology: str = Field(min_length=1, max_length=5)
    electricity_source: str = Field(min_length=1, max_length=5)


class Installation(_Frozen):
    """InstallationType: its id in the CBAM registry (``an..17``; the warehouse's id when that fits and none is
    given) and its name."""

    name: str = Field(min_length=1, max_length=256)
    registry_id: str | None = Field(default=None, min_length=1, max_length=17)


class CbamReportConfig(_Frozen):
    """What a quarterly report needs that the warehouse does not hold (docs/cbam.md, "Quarterly report")."""

    declarants: dict[str, Declarant]
    codes: ReportCodes
    # CN code prefix (2 to 8 digits) -> production method; the longest matching prefix applies
    production_methods: dict[str, ProductionMethod]
    # installation_id -> its registry id and name (InstallationType requires a name; the warehouse has only
    # an id of its own, which may be longer than the schema's 17 characters)
    installations: dict[str, Installation] = Field(default_factory=dict)

    @classmethod
    def from_file(cls, path: Path) -> CbamReportConfig:
        return cls.model_validate_json(path.read_text(encoding="utf-8"))


class MissingConfiguration(ValueError):
    """A report needs a value the configuration does not give."""


@dataclass(frozen=True)
class ImportLine:
    """One fct_cbam_imports row, the columns the report reads."""

    declarant_eori: str
    import_year: int
    import_quarter: int
    cn_code: str
    description: str | None
    origin_country: str
    installation_id: str | None
    customs_procedure: str
    net_mass_tonnes: Decimal
    emission_method: str
    indirect_method: str | None
    embedded_direct: Decimal | None
    embedded_indirect: Decimal | None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> ImportLine:
        return cls(**{name: row[name] for name in cls.__dataclass_fields__})


def quantize(value: Decimal, places: int, element: str) -> Decimal:
    """``value`` at ``places`` fraction digits (ROUND_HALF_UP); an error if it needs more than the schema's
    totalDigits (``element`` names the schema element, for the message)."""
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    digits = len(rounded.as_tuple().digits)
    if digits > TOTAL_DIGITS:
        raise ValueError(f"{element}: {rounded} has {digits} digits, the schema allows {TOTAL_DIGITS}")
    return rounded


def per_tonne(emissions: Decimal, mass: Decimal) -> Decimal:
    return quantize(emissions / mass, EMISSIONS_PLACES, "SpecificEmbeddedEmissions")


@dataclass(frozen=True)
class Emissions:
    """Direct and indirect totals at 7 places; overall is their exact sum."""

    direct: Decimal
    indirect: Decimal

    @property
    def overall(self) -> Decimal:
        return self.direct + self.indirect

    @classmethod
    def of(cls, lines: Sequence[ImportLine]) -> Emissions:
        return cls(
            quantize(
                sum((line.embedded_direct for line in lines), Decimal(0)), EMISSIONS_PLACES, "TotalDirect"
            ),
            quantize(
                sum((line.embedded_indirect or Decimal(0) for line in lines), Decimal(0)),
                EMISSIONS_PLACES,
                "TotalIndirect",
            ),
        )


def _exact_mass(lines: Iterable[ImportLine]) -> Decimal:
    return sum((line.net_mass_tonnes for line in lines), Decimal(0))


@dataclass(frozen=True)
class GoodsEmission:
    """One GoodsEmissions: an installation (or none named) and a method pair."""

    installation_id: str | None
    production_country: str
    direct_method: str
    indirect_method: str | None
    mass: Decimal  # exact
    emissions: Emissions
    direct_see: Decimal
    indirect_see: Decimal


@dataclass(frozen=True)
class ImportedGood:
    item_number: int
    cn_code: str
    description: str
    origin_country: str
    mass_by_procedure: tuple[tuple[str, Decimal], ...]  # exact masses
    mass: Decimal  # exact
    emissions: Emissions
    emissions_per_unit: Decimal
    goods_emissions: tuple[GoodsEmission, ...]


@dataclass(frozen=True)
class QuarterlyReport:
    declarant_eori: str
    year: int
    quarter: int
    goods: tuple[ImportedGood, ...]
    lines_left_out: int = 0  # lines of the quarter whose emissions are missing

    @property
    def total_emissions(self) -> Decimal:
        total = sum((good.emissions.overall for good in self.goods), Decimal(0))
        return quantize(total, EMISSIONS_PLACES, "QReport/TotalEmissions")

    @property
    def draft_report_id(self) -> str:
        """DraftReportId (an..22): the same declarant and quarter always give the same id (an EORI of 17
        characters and the period do not fit in 22, so a digest of them)."""
        digest = hashlib.sha256(f"{self.declarant_eori}|{self.year}|Q{self.quarter}".encode()).hexdigest()
        return f"{self.year}Q{self.quarter}{digest[:16].upper()}"


def _group(lines: Iterable[ImportLine], key) -> dict[Any, list[ImportLine]]:
    groups: dict[Any, list[ImportLine]] = {}
    for line in lines:
        groups.setdefault(key(line), []).append(line)
    return groups


def _goods_emission(key: tuple, lines: list[ImportLine]) -> GoodsEmission:
    installation_id, direct_method, indirect_method = key
    mass = _exact_mass(lines)
    direct = sum((line.embedded_direct for line in lines), Decimal(0))
    indirect = sum((line.embedded_indirect or Decimal(0) for line in lines), Decimal(0))
    return GoodsEmission(
        installation_id=installation_id,
        production_country=lines[0].origin_country,
        direct_method=direct_method,
        indirect_method=indirect_method,
        mass=mass,
        emissions=Emissions.of(lines),
        direct_see=per_tonne(direct, mass),
        indirect_see=per_tonne(indirect, mass),
    )


def quarterly_reports(lines: Iterable[ImportLine]) -> list[QuarterlyReport]:
    """One report per declarant and quarter of ``lines``, goods sorted by CN code and origin."""
    reports = []
    by_report = _group(lines, lambda line: (line.declarant_eori, line.import_year, line.import_quarter))
    for (eori, year, quarter), report_lines in sorted(by_report.items()):
        reported = [line for line in report_lines if line.emission_method in REPORTED_METHODS]
        goods = []
        by_good = _group(reported, lambda line: (line.cn_code, line.origin_country))
        for item_number, ((cn_code, origin), good_lines) in enumerate(sorted(by_good.items()), start=1):
            by_procedure = _group(good_lines, lambda line: line.customs_procedure)
            by_emission = _group(
                good_lines,
                lambda line: (line.installation_id, line.emission_method, line.indirect_method),
            )
            mass = _exact_mass(good_lines)
            overall = sum(
                (line.embedded_direct + (line.embedded_indirect or Decimal(0)) for line in good_lines),
                Decimal(0),
            )
            goods.append(
                ImportedGood(
                    item_number=item_number,
                    cn_code=cn_code,
                    description=good_lines[0].description or "",
                    origin_country=origin,
                    mass_by_procedure=tuple(
                        (procedure, _exact_mass(procedure_lines))
                        for procedure, procedure_lines in sorted(by_procedure.items())
                    ),
                    mass=mass,
                    emissions=Emissions.of(good_lines),
                    emissions_per_unit=per_tonne(overall, mass),
                    goods_emissions=tuple(
                        _goods_emission(key, emission_lines)
                        for key, emission_lines in sorted(by_emission.items(), key=lambda item: str(item[0]))
                    ),
                )
            )
        reports.append(QuarterlyReport(eori, year, quarter, tuple(goods), len(report_lines) - len(reported)))
    return reports


# --- XML -------------------------------------------------------------------------------------------------


def decimal_text(value: Decimal) -> str:
    """xs:decimal lexical form, no exponent, trailing zeros kept off (``13615``, ``24.7545455``)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _add(parent: ET.Element, tag: str, text: Any = None) -> ET.Element:
    element = ET.SubElement(parent, f"{{{NAMESPACE}}}{tag}")
    if text is not None:
        element.text = decimal_text(text) if isinstance(text, Decimal) else str(text)
    return element


def _address(parent: ET.Element, tag: str, address: Address) -> None:
    element = _add(parent, tag)
    _add(element, "Country", address.country)
    if address.sub_division:
        _add(element, "SubDivision", address.sub_division)
    _add(element, "City", address.city)
    for name, value in (
        ("Street", address.street),
        ("Number", address.number),
        ("Postcode", address.postcode),
    ):
        if value:
            _add(element, name, value)


def production_method(cn_code: str, config: CbamReportConfig) -> ProductionMethod:
    for length in range(len(cn_code), 1, -1):
        method = config.production_methods.get(cn_code[:length])
        if method:
            return method
    raise MissingConfiguration(f"production_methods: no production method configured for CN code {cn_code}")


def _determination(method: str, codes: ReportCodes) -> str:
    return codes.determination_actual if method == "actual" else codes.determination_default


def _procedure(parent: ET.Element, procedure: str) -> None:
    """A customs procedure code of 4 digits is the requested procedure and the previous one (2 + 2
    digits, data element 1/10 of Annex B to Delegated Regulation (EU) 2015/2446); of 2, the requested one."""
    element = _add(parent, "Procedure")
    _add(element, "RequestedProc", procedure[:2])
    if len(procedure) == 4:
        _add(element, "PreviousProc", procedure[2:])


def _goods_emissions(
    parent: ET.Element, sequence: int, emission: GoodsEmission, config: CbamReportConfig, cn_code: str
) -> None:
    codes = config.codes
    element = _add(parent, "GoodsEmissions")
    _add(element, "SequenceNumber", sequence)
    _add(element, "ProductionCountry", emission.production_country)
    if emission.installation_id is not None:
        details = config.installations.get(emission.installation_id)
        if details is None:
            raise MissingConfiguration(
                f"installations: nothing configured for installation {emission.installation_id}"
            )
        registry_id = details.registry_id or emission.installation_id
        if len(registry_id) > 17:
            raise MissingConfiguration(
                f"installations: {emission.installation_id} is longer than the 17 characters of InstallationId: "
                "configure its registry_id"
            )
        installation = _add(element, "Installation")
        _add(installation, "InstallationId", registry_id)
        _add(installation, "InstallationName", details.name)
        _add(_add(installation, "Address"), "EstablishmentCountry", emission.production_country)
    produced = _add(element, "ProducedMeasure")
    _add(produced, "NetMass", quantize(emission.mass, MASS_PLACES, "ProducedMeasure/NetMass"))
    _add(produced, "MeasurementUnit", codes.tonnes_unit)
    totals = _add(element, "InstallationEmissions")
    _add(totals, "OverallEmissions", emission.emissions.overall)
    _add(totals, "TotalDirect", emission.emissions.direct)
    _add(totals, "TotalIndirect", emission.emissions.indirect)
    _add(totals, "MeasurementUnit", codes.emissions_unit)
    direct = _add(element, "DirectEmissions")
    _add(direct, "DeterminationType", _determination(emission.direct_method, codes))
    _add(direct, "ApplicableReportingTypeMethodology", codes.reporting_methodology)
    _add(direct, "SpecificEmbeddedEmissions", emission.direct_see)
    _add(direct, "MeasurementUnit", codes.emissions_unit)
    if emission.indirect_method in REPORTED_METHODS:
        indirect = _add(element, "IndirectEmissions")
        _add(indirect, "DeterminationType", _determination(emission.indirect_method, codes))
        _add(indirect, "SpecificEmbeddedEmissions", emission.indirect_see)
        _add(indirect, "MeasurementUnit", codes.emissions_unit)
        _add(indirect, "ElectricitySource", codes.electricity_source)
    method = production_method(cn_code, config)
    params = _add(element, "ProdMethodQualifyingParams")
    _add(params, "SequenceNumber", 1)
    _add(params, "MethodId", method.method_id)
    _add(params, "MethodName", method.method_name)


def _imported_good(parent: ET.Element, good: ImportedGood, config: CbamReportConfig) -> None:
    codes = config.codes
    if not good.description:
        raise ValueError(f"CN code {good.cn_code}: no description in marts.dim_cbam_good")
    if len(good.mass_by_procedure) > 9:
        raise ValueError(f"CN code {good.cn_code} from {good.origin_country}: more than 9 customs procedures")
    element = _add(parent, "ImportedGood")
    _add(element, "ItemNumber", good.item_number)
    commodity = _add(element, "CommodityCode")
    _add(commodity, "HsCode", good.cn_code[:6])  # an6: the Harmonized System subheading
    _add(commodity, "CnCode", good.cn_code[6:8])  # an2: the CN subdivision of the HS subheading
    _add(_add(commodity, "CommodityDetails"), "Description", good.description[:512])
    _add(_add(element, "OriginCountry"), "Country", good.origin_country)
    for sequence, (procedure, mass) in enumerate(good.mass_by_procedure, start=1):
        quantity = _add(element, "ImportedQuantity")
        _add(quantity, "SequenceNumber", sequence)
        _procedure(quantity, procedure)
        _add(_add(quantity, "ImportArea"), "ImportArea", codes.import_area)
        measure = _add(quantity, "MeasureProcedureImported")
        _add(measure, "Indicator", codes.procedure_indicator)
        _add(measure, "NetMass", quantize(mass, MASS_PLACES, "MeasureProcedureImported/NetMass"))
        _add(measure, "MeasurementUnit", codes.tonnes_unit)
    imported = _add(element, "MeasureImported")
    _add(imported, "NetMass", quantize(good.mass, MASS_PLACES, "MeasureImported/NetMass"))
    _add(imported, "MeasurementUnit", codes.tonnes_unit)
    totals = _add(element, "TotalEmissions")
    _add(totals, "EmissionsPerUnit", good.emissions_per_unit)
    _add(totals, "OverallEmissions", good.emissions.overall)
    _add(totals, "TotalDirect", good.emissions.direct)
    _add(totals, "TotalIndirect", good.emissions.indirect)
    _add(totals, "MeasurementUnit", codes.emissions_unit)
    for sequence, emission in enumerate(good.goods_emissions, start=1):
        _goods_emissions(element, sequence, emission, config, good.cn_code)


def to_xml(
    report: QuarterlyReport, config: CbamReportConfig, submitted_at: dt.datetime, signed_on: dt.date
) -> bytes:
    """The report as QReport XML (UTF-8). The same report, configuration and moments give the same bytes."""
    declarant = config.declarants.get(report.declarant_eori)
    if declarant is None:
        raise MissingConfiguration(f"declarants: no details configured for declarant {report.declarant_eori}")
    if not report.goods:
        raise ValueError(
            f"declarant {report.declarant_eori} {report.year} Q{report.quarter}: no goods to report"
        )
    ET.register_namespace("", NAMESPACE)
    root = ET.Element(f"{{{NAMESPACE}}}QReport")
    _add(root, "SubmissionDate", submitted_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    _add(root, "DraftReportId", report.draft_report_id)
    _add(root, "ReportingPeriod", f"Q{report.quarter}")
    _add(root, "Year", report.year)
    _add(root, "TotalImported", len(report.goods))
    _add(root, "TotalEmissions", report.total_emissions)
    element = _add(root, "Declarant")
    _add(element, "IdentificationNumber", report.declarant_eori)
    _add(element, "Name", declarant.name)
    _add(element, "Role", declarant.role)
    _address(element, "ActorAddress", declarant.address)
    _add(_add(root, "NationalCompetentAuth"), "ReferenceNumber", declarant.national_competent_authority)
    confirmation = _add(_add(root, "Signatures"), "ReportConfirmation")
    signatory = declarant.signatory
    _add(confirmation, "GlobalDataConfirmation", str(signatory.global_data_confirmation).lower())
    _add(confirmation, "UseOfDataConfirmation", str(signatory.use_of_data_confirmation).lower())
    _add(confirmation, "SignatureDate", signed_on.strftime("%Y%m%d"))
    _add(confirmation, "SignaturePlace", signatory.place)
    _add(confirmation, "Signature", signatory.name)
    _add(confirmation, "PositionOfPersonSending", signatory.position)
    for good in report.goods:
        _imported_good(root, good, config)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
