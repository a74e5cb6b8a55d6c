"""The Commission's CBAM transitional quarterly report XML schema (QReport 17.03), loaded with ``xmlschema``.

``QReport_ver17.03.xsd`` includes its simple types as ``stypes.xsd``, a file name the Commission publishes as
``stypes_ver17.03.xsd``: both files are given to ``xmlschema`` together, and the warning about the include it
cannot open by its short name is expected (the types arrive through the second file of the same namespace).
The schema files are not part of the repository (``../shared/data/cbam``; ``GREENLANG_CBAM_SCHEMA_DIR``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import xmlschema

NAMESPACE = "http://xmlns.ec.eu/BusinessObjects/CBAM/Types/V1"
REPORT_XSD = "QReport_ver17.03.xsd"
TYPES_XSD = "stypes_ver17.03.xsd"
SCHEMA_VERSION = "17.03"


@dataclass(frozen=True)
class SchemaError:
    """One element the schema refuses: its path in the document (``/QReport/ImportedGood/...``) and why."""

    path: str
    reason: str


@cache
def quarterly_report_schema(schema_dir: Path) -> xmlschema.XMLSchema:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", xmlschema.XMLSchemaIncludeWarning)
        return xmlschema.XMLSchema([str(schema_dir / REPORT_XSD), str(schema_dir / TYPES_XSD)])


def schema_errors(document: str | bytes | Path, schema_dir: Path) -> list[SchemaError]:
    """Every error the validator reports, in document order; [] for a valid report."""
    source = str(document) if isinstance(document, Path) else document
    return [
        SchemaError(error.path or "/", str(error.reason or error.message))
        for error in quarterly_report_schema(schema_dir).iter_errors(source)
    ]
