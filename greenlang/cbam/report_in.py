"""Filed CBAM quarterly reports (QReport XML) into the raw layer, valid or not, and nothing lost.

A report is read leniently (any well-formed XML), its figures kept as the text written (exact: the raw
layer holds what was filed, a value the schema refuses included), in one transaction:
- ``raw.cbam_reports__report``: the report (its header), one row;
- ``raw.cbam_reports__imported_good``: one row per ``ImportedGood``;
- ``raw.cbam_reports__goods_emission``: one row per ``GoodsEmissions`` of a good;
- ``raw.cbam_reports__schema_error``: every error the QReport 17.03 schema finds, per element (path, reason);
- ``raw.load_batch``: the ledger row (source ``cbam_reports``, contract ``QReport`` ``17.03``). Every record
  (report, good, goods emission) is loaded, so rows_read = rows_loaded and rows_rejected = 0; an invalid
  element is loaded and its error recorded beside it. A file that is not well-formed XML loads nothing,
  its ledger row ``failed``, and ``ReportLoadError`` is raised.
The same file (sha256) loaded before for the tenant is skipped. ``source_row`` numbers the records in
document order (the report is 1). The arithmetic inside a report: ``greenlang.cbam.report_arithmetic``.
"""

from __future__ import annotations

import hashlib
import json
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

from greenlang.cbam.report_schema import NAMESPACE, SCHEMA_VERSION, schema_errors
from greenlang.core.tenants import tenant_refusal
from greenlang.core.warehouse import RAW_SCHEMA, Session, Warehouse, utcnow

SOURCE = "cbam_reports"
CONTRACT_NAME = "QReport"
REPORT_TABLE = f"{SOURCE}__report"
GOODS_TABLE = f"{SOURCE}__imported_good"
EMISSIONS_TABLE = f"{SOURCE}__goods_emission"
ERRORS_TABLE = f"{SOURCE}__schema_error"

# column -> path of the element (relative to the record's element) whose text it holds, as written
REPORT_FIELDS = {
    "report_id": "ReportId",
    "draft_report_id": "DraftReportId",
    "submission_date": "SubmissionDate",
    "reporting_period": "ReportingPeriod",
    "report_year": "Year",
    "declarant_id": "Declarant/IdentificationNumber",
    "total_imported": "TotalImported",
    "total_emissions": "TotalEmissions",
}
GOODS_FIELDS = {
    "item_number": "ItemNumber",
    "hs_code": "CommodityCode/HsCode",
    "cn_code": "CommodityCode/CnCode",
    "origin_country": "OriginCountry/Country",
    "net_mass": "MeasureImported/NetMass",
    "mass_unit": "MeasureImported/MeasurementUnit",
    "emissions_per_unit": "TotalEmissions/EmissionsPerUnit",
    "overall_emissions": "TotalEmissions/OverallEmissions",
    "total_direct": "TotalEmissions/TotalDirect",
    "total_indirect": "TotalEmissions/TotalIndirect",
    "emissions_unit": "TotalEmissions/MeasurementUnit",
}
EMISSIONS_FIELDS = {
    "sequence_number": "SequenceNumber",
    "production_country": "ProductionCountry",
    "installation_id": "Installation/InstallationId",
    "installation_name": "Installation/InstallationName",
    "produced_net_mass": "ProducedMeasure/NetMass",
    "produced_unit": "ProducedMeasure/MeasurementUnit",
    "installation_overall": "InstallationEmissions/OverallEmissions",
    "installation_direct": "InstallationEmissions/TotalDirect",
    "installation_indirect": "InstallationEmissions/TotalIndirect",
    "direct_determination": "DirectEmissions/DeterminationType",
    "direct_see": "DirectEmissions/SpecificEmbeddedEmissions",
    "indirect_determination": "IndirectEmissions/DeterminationType",
    "indirect_emission_factor": "IndirectEmissions/EmissionFactor",
    "indirect_see": "IndirectEmissions/SpecificEmbeddedEmissions",
    "electricity_consumed": "IndirectEmissions/ElectricityConsumed",
}


def _text_columns(*names: str) -> list[tuple[str, str]]:
    return [(name, "TEXT") for name in names]


# raw table -> its own columns (``Session.migrate_raw_layer`` adds the tenant and the provenance)
RAW_TABLES = {
    REPORT_TABLE: _text_columns(*REPORT_FIELDS),
    GOODS_TABLE: _text_columns(*GOODS_FIELDS, "procedure_net_masses"),
    EMISSIONS_TABLE: _text_columns("item_number", *EMISSIONS_FIELDS),
    ERRORS_TABLE: _text_columns("path", "reason"),
}


class ReportLoadError(Exception):
    """The file is not well-formed XML: recorded as a ``failed`` batch, nothing of it loaded."""


@dataclass(frozen=True)
class ReportLoad:
    batch_id: str
    status: str  # "succeeded" | "skipped"
    rows_loaded: int = 0
    schema_errors: int = 0


def _q(path: str) -> str:
    return "/".join(f"{{{NAMESPACE}}}{part}" for part in path.split("/"))


def _fields(element: ET.Element, fields: dict[str, str]) -> dict[str, str | None]:
    # findtext gives "" for an empty element: kept as written (an empty ReportId is not a missing one)
    return {column: element.findtext(_q(path)) for column, path in fields.items()}


def report_records(root: ET.Element) -> Iterator[tuple[str, dict[str, str | None]]]:
    """(table, columns) of every record in document order: the report, then each good and its emissions."""
    yield REPORT_TABLE, _fields(root, REPORT_FIELDS)
    for good in root.iterfind(_q("ImportedGood")):
        goods = _fields(good, GOODS_FIELDS)
        masses = [
            measure.findtext(_q("NetMass"))
            for measure in good.iterfind(_q("ImportedQuantity/MeasureProcedureImported"))
        ]
        yield GOODS_TABLE, {**goods, "procedure_net_masses": json.dumps(masses)}
        for emission in good.iterfind(_q("GoodsEmissions")):
            yield (
                EMISSIONS_TABLE,
                {"item_number": goods["item_number"], **_fields(emission, EMISSIONS_FIELDS)},
            )


def _insert(session: Session, table: str, row: dict[str, object]) -> None:
    session.execute(
        f"INSERT INTO {RAW_SCHEMA}.{table} ({', '.join(row)}) VALUES ({', '.join(f'%({name})s' for name in row)})",
        row,
    )


def _ledger(session: Session, ledger: dict[str, object], **outcome: object) -> None:
    _insert(
        session,
        "load_batch",
        {
            **ledger,
            "file_format": "xml",
            "file_encoding": None,
            "contract_name": CONTRACT_NAME,
            "contract_version": SCHEMA_VERSION,
            "rows_read": 0,
            "rows_loaded": 0,
            "rows_rejected": 0,
            "error": None,
            **outcome,
            "finished_at": utcnow(),
        },
    )


def load_filed_report(warehouse: Warehouse, tenant_id: str, path: Path, schema_dir: Path) -> ReportLoad:
    data = path.read_bytes()
    sha256 = hashlib.sha256(data).hexdigest()
    source_uri = path.absolute().as_uri()
    batch_id = str(uuid.uuid4())
    ledger = {
        "batch_id": batch_id,
        "tenant_id": tenant_id,
        "source": SOURCE,
        "source_uri": source_uri,
        "file_sha256": sha256,
        "started_at": utcnow(),
    }
    with warehouse.session() as session:
        session.migrate_raw_layer(RAW_TABLES)
        previous = session.scalar(
            f"SELECT batch_id FROM {RAW_SCHEMA}.load_batch WHERE tenant_id = %(tenant)s AND source = %(source)s "
            "AND file_sha256 = %(sha256)s AND status = 'succeeded'",
            {"tenant": tenant_id, "source": SOURCE, "sha256": sha256},
        )
        if previous:
            return ReportLoad(previous, "skipped")
        try:
            root = ET.fromstring(data)
        except ET.ParseError as error:
            with session.transaction():
                _ledger(session, ledger, status="failed", error=f"not well-formed XML: {error}")
            raise ReportLoadError(f"{path.name}: not well-formed XML ({error})") from error
        errors = schema_errors(data, schema_dir)
        ingested_at = utcnow()

        def provenance(source_row: int, row: dict[str, object]) -> dict[str, object]:
            digest = hashlib.sha256(json.dumps(row, sort_keys=True).encode()).hexdigest()
            return {
                "tenant_id": tenant_id,
                **row,
                "_batch_id": batch_id,
                "_source_uri": source_uri,
                "_source_row": source_row,
                "_row_sha256": digest,
                "_ingested_at": ingested_at,
            }

        records = list(report_records(root))
        with session.transaction():
            for source_row, (table, row) in enumerate(records, start=1):
                _insert(session, table, provenance(source_row, row))
            for position, error in enumerate(errors, start=1):
                _insert(
                    session, ERRORS_TABLE, provenance(position, {"path": error.path, "reason": error.reason})
                )
            _ledger(
                session,
                ledger,
                status="succeeded",
                rows_read=len(records),
                rows_loaded=len(records),
                attributes=json.dumps({"schema_valid": not errors, "schema_errors": len(errors)}),
            )
    return ReportLoad(batch_id, "succeeded", len(records), len(errors))


def filed_report_files(landing_dir: Path, tenants: Collection[str]) -> list[tuple[str, Path]]:
    """(tenant, file) of every ``<landing>/<tenant>/cbam_reports/*.xml`` of a registered tenant; links are
    never followed (as ``greenlang.core.landing``)."""
    if not landing_dir.is_dir():
        return []
    found = []
    for tenant_dir in sorted(landing_dir.iterdir()):
        folder = tenant_dir / SOURCE
        if tenant_refusal(tenant_dir.name, tenants) or tenant_dir.is_symlink() or folder.is_symlink():
            continue
        if folder.is_dir():
            found += [
                (tenant_dir.name, path)
                for path in sorted(folder.glob("*.xml"))
                if path.is_file() and not path.is_symlink()
            ]
    return found
