"""Generate demo customs declaration lines (contract ``CBAMShipment``) and the demo landing tree.

``generate_shipments`` writes one file of realistic declaration lines: a few declarants per tenant,
MRN-like declarations of several lines each, imports from January to October 2026, CN codes, origins
and masses per sector, and for some lines the installation and its actual emissions near the default
value (``demo.catalogue``). A small share of rows is broken on purpose, one defect each, so that the
demo shows rejections. Rows are built column-wise with numpy and pyarrow, chunk by chunk, so memory
stays flat and ten million rows take seconds; the same seed gives the same bytes.

``python -m demo.generate --landing-dir DIR`` lays out the landing tree of ``make demo``:
``DIR/<tenant>/customs__cbam_shipments/<file>`` for two tenants, in the formats importers actually
receive, and ``DIR/global/cbam__default_values/`` and ``DIR/global/cbam__goods/`` with the curated
extracts of the Commission's files (``demo/reference/SOURCES.md``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import filecmp
import hashlib
import io
import os
import re
import sys
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal, get_args

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from openpyxl import Workbook

from demo.catalogue import (
    DEFAULT_VALUES_FILE,
    GOODS_FILE,
    ORIGIN_ALPHA3,
    ORIGIN_SHARES,
    ORIGINS,
    PRODUCTS,
    SECTORS,
    SITES_PER_ORIGIN,
    declarant_eoris,
    installation_ids,
    installation_intensity,
    read_default_values,
    reference_see,
    tenant_profile,
)
from greenlang.cbam.contracts import CBAMShipment

ShipmentFormat = Literal["csv", "csv_excel", "xlsx", "json", "jsonl"]
"""``csv``: ``,``, UTF-8, LF. ``csv_excel``: a broker's Excel export — ``;``, decimal comma, day-first
dates, Windows-1252, CRLF. ``xlsx``: numbers and dates as typed cells (small files only). ``json``: one
array of objects. ``jsonl``: one object per line. Columns are the contract's fields, in its order."""
FORMATS: tuple[ShipmentFormat, ...] = get_args(ShipmentFormat)

FIELDS = tuple(CBAMShipment.model_fields)
INTEGER_FIELDS = frozenset({"declaration_line"})
DECIMAL_FIELDS = frozenset(
    {
        "net_mass_tonnes",
        "actual_direct_see",
        "actual_indirect_see",
        "electricity_consumed_mwh",
        "carbon_price_paid_eur",
    }
)

CHUNK_ROWS = 100_000  # about 20 MB of text per chunk
# Shapes and shares of the demo files: illustrative choices, like those of demo.catalogue.
MEAN_LINES_PER_DECLARATION = 3.5
MAX_LINES_PER_DECLARATION = 40
INSTALLATION_SHARE = 0.6  # lines naming the producing installation
ACTUAL_SEE_SHARE = 0.3  # lines with the installation's actual emissions, all of them with an installation
# Declarations released from 1 January to 31 October 2026: in the past, as the import-date rule of the
# quality suite requires, and inside the first year of the definitive period.
RELEASE_WINDOW_DAYS = 304
# Requested procedure (UCC Annex B, data element 1/10): release for free circulation, also written with
# the previous procedure "00", and inward processing.
PROCEDURES = pa.array(["40", "4000", "51"])
PROCEDURE_SHARES = (0.70, 0.20, 0.10)
DEFAULT_BAD_SHARE = 0.005

_JAN_1_2026 = dt.date(2026, 1, 1)
_EPOCH_DAYS_2026 = (_JAN_1_2026 - dt.date(1970, 1, 1)).days
_ALPHANUMERIC = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", dtype=np.uint8)
_XLSX_MAX_ROWS = 1_048_576  # rows of one Excel worksheet
_FIXED_ZIP_TIME = (2026, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class GeneratedFile:
    path: Path
    rows: int
    bad_rows: int


def generate_shipments(
    path: str | os.PathLike[str],
    rows: int,
    *,
    seed: int,
    tenant: str,
    fmt: ShipmentFormat,
    bad_share: float = DEFAULT_BAD_SHARE,
    preamble: Sequence[str] = (),
) -> GeneratedFile:
    """Write ``rows`` declaration lines to ``path``; exactly ``round(rows * bad_share)`` of them broken.

    ``preamble`` (XLSX only): title lines written above the header, as exports from customs software have.
    """
    if rows < 0 or seed < 0:
        raise ValueError("rows and seed must be non-negative")
    if not 0 <= bad_share <= 1:
        raise ValueError(f"bad_share must be between 0 and 1, not {bad_share}")
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    if preamble and fmt != "xlsx":
        raise ValueError("a preamble is only written to XLSX files")
    if fmt == "xlsx" and rows + 1 + len(preamble) > _XLSX_MAX_ROWS:
        raise ValueError(f"{rows} rows do not fit in one worksheet")

    bad_rows = round(rows * bad_share)
    chunks = _chunks(_Plan.for_tenant(tenant), rows, bad_rows, seed=seed, tenant=tenant)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        target.write_bytes(_xlsx_bytes(chunks, preamble))
    else:
        with target.open("wb") as out:
            _STREAM_WRITERS[fmt](chunks, out)
    return GeneratedFile(target, rows, bad_rows)


# --- rows ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    """A tenant's lookup tables, as arrays indexed by the codes the chunks draw."""

    eoris: pa.Array
    eori_countries: np.ndarray  # S2, per declarant
    sector_shares: np.ndarray
    origin_cdf: np.ndarray  # [sector, origin]
    product_cdf: np.ndarray  # [sector, k], padded with 1
    product_index: np.ndarray  # [sector, k] -> index in PRODUCTS
    cn_codes: pa.Array
    origins: pa.Array
    log_median_tonnes: np.ndarray
    mass_spread: np.ndarray
    direct_see: np.ndarray  # [product, origin], tCO2e/t
    indirect_see: np.ndarray
    installations: pa.Array
    intensity: np.ndarray

    @classmethod
    def for_tenant(cls, tenant: str) -> _Plan:
        profile = tenant_profile(tenant)
        eoris = declarant_eoris(tenant)
        per_sector = [[p for p, product in enumerate(PRODUCTS) if product.sector == s] for s in SECTORS]
        width = max(map(len, per_sector))
        product_index = np.zeros((len(SECTORS), width), dtype=np.int64)
        product_shares = np.zeros((len(SECTORS), width))
        for s, members in enumerate(per_sector):
            product_index[s, : len(members)] = members
            product_shares[s, : len(members)] = [PRODUCTS[p].share for p in members]
        origin_shares = np.array([[ORIGIN_SHARES[s].get(o, 0.0) for o in ORIGINS] for s in SECTORS])
        direct, indirect = reference_see(read_default_values())
        return cls(
            eoris=pa.array(eoris),
            eori_countries=np.array([eori[:2] for eori in eoris], dtype="S2"),
            sector_shares=_normalised([profile.sector_shares.get(s, 0.0) for s in SECTORS]),
            origin_cdf=_cdf(origin_shares),
            product_cdf=_cdf(product_shares),
            product_index=product_index,
            cn_codes=pa.array([product.cn_code for product in PRODUCTS]),
            origins=pa.array(list(ORIGINS)),
            log_median_tonnes=np.log([product.median_tonnes for product in PRODUCTS]),
            mass_spread=np.array([product.mass_spread for product in PRODUCTS]),
            direct_see=direct,
            indirect_see=indirect,
            installations=pa.array(installation_ids()),
            intensity=installation_intensity(),
        )


def _normalised(shares: Sequence[float]) -> np.ndarray:
    weights = np.asarray(shares, dtype=float)
    return weights / weights.sum()


def _cdf(shares: np.ndarray) -> np.ndarray:
    """Row-wise cumulative shares, the last real step (and any padding) exactly 1 so draws stay in range."""
    cdf = np.cumsum(shares / shares.sum(axis=1, keepdims=True), axis=1)
    cdf[cdf > 1 - 1e-12] = 1.0
    return cdf


def _draw(rng: np.random.Generator, cdf: np.ndarray) -> np.ndarray:
    """One index per row of ``cdf`` (each row a cumulative distribution)."""
    return (rng.random(len(cdf))[:, None] >= cdf).sum(axis=1)


def _chunks(plan: _Plan, rows: int, bad_rows: int, *, seed: int, tenant: str) -> Iterator[pa.Table]:
    # Each chunk has its own stream, seeded by (seed, tenant, chunk): reproducible, and two tenants with
    # the same seed still get different declarations.
    tenant_key = int.from_bytes(hashlib.sha256(tenant.encode()).digest()[:8], "big")
    for index, start in enumerate(range(0, rows, CHUNK_ROWS)):
        stop = min(rows, start + CHUNK_ROWS)
        # Spread the broken rows over the chunks so that their total is exact.
        broken = bad_rows * stop // rows - bad_rows * start // rows
        rng = np.random.default_rng([seed, tenant_key, index])
        yield _break_rows(_chunk(plan, rng, stop - start), rng, broken)


def _chunk(plan: _Plan, rng: np.random.Generator, rows: int) -> pa.Table:
    sizes = _declaration_sizes(rng, rows)
    declaration = np.repeat(np.arange(len(sizes)), sizes)
    line = np.arange(rows) - np.repeat(np.cumsum(sizes) - sizes, sizes) + 1

    # One declaration: one declarant, release date, procedure, and one consignment of one sector and origin.
    declarant = rng.integers(len(plan.eoris), size=len(sizes))
    sector = rng.choice(len(SECTORS), size=len(sizes), p=plan.sector_shares)
    origin = _draw(rng, plan.origin_cdf[sector])
    day = _release_days(rng, len(sizes))
    procedure = rng.choice(len(PROCEDURES), size=len(sizes), p=PROCEDURE_SHARES)
    mrn = _mrns(rng, day, plan.eori_countries[declarant])

    line_sector, line_origin = sector[declaration], origin[declaration]
    product = plan.product_index[line_sector, _draw(rng, plan.product_cdf[line_sector])]
    tonnes = rng.lognormal(plan.log_median_tonnes[product], plan.mass_spread[product])
    mass_kg = np.maximum(1, np.rint(tonnes * 1000)).astype(np.int64)
    site = rng.integers(SITES_PER_ORIGIN, size=rows)
    installation = (line_origin * len(SECTORS) + line_sector) * SITES_PER_ORIGIN + site
    has_installation = rng.random(rows) < INSTALLATION_SHARE
    has_actual = has_installation & (rng.random(rows) < ACTUAL_SEE_SHARE / INSTALLATION_SHARE)
    intensity = plan.intensity[installation] * rng.normal(1.0, 0.02, rows)
    direct = plan.direct_see[product, line_origin] * intensity
    indirect = plan.indirect_see[product, line_origin] * intensity
    has_indirect = has_actual & ~np.isnan(indirect)

    no_value = pa.nulls(rows, pa.string())
    return pa.table(
        {
            "declarant_eori": plan.eoris.take(declarant[declaration]),
            "declaration_id": mrn.take(declaration),
            "declaration_line": pc.cast(pa.array(line), pa.string()),
            "import_date": pc.cast(
                pa.array((_EPOCH_DAYS_2026 + day).astype(np.int32)).view(pa.date32()), pa.string()
            ).take(declaration),
            "cn_code": plan.cn_codes.take(product),
            "origin_country": plan.origins.take(line_origin),
            "net_mass_tonnes": _decimal_text(mass_kg, 3),
            "customs_procedure": PROCEDURES.take(procedure[declaration]),
            "installation_id": plan.installations.take(pa.array(installation, mask=~has_installation)),
            "actual_direct_see": _decimal_text(_units(direct, 4, has_actual), 4, has_actual),
            "actual_indirect_see": _decimal_text(_units(indirect, 4, has_indirect), 4, has_indirect),
            "electricity_consumed_mwh": no_value,
            "carbon_price_paid_eur": no_value,
            "production_route": no_value,
        }
    )


def _declaration_sizes(rng: np.random.Generator, rows: int) -> np.ndarray:
    """Lines per declaration, geometric, summing to exactly ``rows``."""
    sizes = np.minimum(rng.geometric(1 / MEAN_LINES_PER_DECLARATION, size=rows), MAX_LINES_PER_DECLARATION)
    ends = np.cumsum(sizes)
    count = int(np.searchsorted(ends, rows)) + 1
    sizes = sizes[:count]
    sizes[-1] -= ends[count - 1] - rows
    return sizes


def _release_days(rng: np.random.Generator, count: int) -> np.ndarray:
    """Days after 1 January 2026 within the release window, on working days."""
    day = rng.integers(1, RELEASE_WINDOW_DAYS - 1, count)
    weekday = (day + _JAN_1_2026.weekday()) % 7
    # Goods are released on working days: Saturday moves back to Friday, Sunday on to Monday.
    return day + np.select([weekday == 5, weekday == 6], [-1, 1], 0)


def _mrns(rng: np.random.Generator, day: np.ndarray, countries: np.ndarray) -> pa.Array:
    """MRN-like references: 2-digit year, member state of the declaration, 14 random alphanumerics."""
    chars = np.empty((len(day), 18), dtype=np.uint8)
    year = np.where(day >= 365, 27, 26)
    chars[:, 0] = ord("0") + year // 10
    chars[:, 1] = ord("0") + year % 10
    chars[:, 2:4] = countries.view(np.uint8).reshape(-1, 2)
    chars[:, 4:] = _ALPHANUMERIC[rng.integers(len(_ALPHANUMERIC), size=(len(day), 14))]
    return pa.array(chars.view("S18").ravel()).cast(pa.string())


def _units(values: np.ndarray, places: int, present: np.ndarray) -> np.ndarray:
    """``values`` as integers of 10**-places, 0 where absent (those rows are written as null)."""
    return np.rint(np.where(present, values, 0.0) * 10**places).astype(np.int64)


def _decimal_text(units: np.ndarray, places: int, present: np.ndarray | None = None) -> pa.Array:
    """Non-negative integers of 10**-places as decimal text, "24.125"; null where not ``present``."""
    whole = pc.cast(pa.array(units // 10**places), pa.string())
    fraction = pc.utf8_lpad(pc.cast(pa.array(units % 10**places), pa.string()), width=places, padding="0")
    text = pc.binary_join_element_wise(whole, fraction, ".")
    if present is None:
        return text
    return pc.if_else(pa.array(present), text, pa.scalar(None, pa.string()))


# --- broken rows: one defect each, the kinds importers' files really have -----------------------------------

_DEFECTS: dict[str, Callable[[str, int], str | None]] = {
    "cn_code": lambda code, variant: code[:7] if variant else code[:2] + "O" + code[3:],  # 7 digits; O for 0
    "import_date": lambda date, variant: f"{date[:4]}-02-30" if variant else f"{date[:4]}-13-{date[8:]}",
    "net_mass_tonnes": lambda mass, variant: f"-{mass}",
    "origin_country": lambda country, variant: ORIGIN_ALPHA3[country] if variant else ORIGINS[country],
    "declarant_eori": lambda eori, variant: None,
}


def _break_rows(table: pa.Table, rng: np.random.Generator, count: int) -> pa.Table:
    if count == 0:
        return table
    positions = np.sort(rng.choice(table.num_rows, size=count, replace=False))
    kinds = rng.integers(len(_DEFECTS), size=count)
    variants = rng.integers(2, size=count)
    for kind, (field, defect) in enumerate(_DEFECTS.items()):
        chosen = positions[kinds == kind]
        if not len(chosen):
            continue
        column = table[field].combine_chunks()
        broken = [
            defect(value, int(variant))
            for value, variant in zip(column.take(chosen).to_pylist(), variants[kinds == kind], strict=True)
        ]
        mask = np.zeros(table.num_rows, dtype=bool)
        mask[chosen] = True
        table = _replace(
            table, field, pc.replace_with_mask(column, pa.array(mask), pa.array(broken, pa.string()))
        )
    return table


# --- writers -----------------------------------------------------------------------------------------------


def _write_csv(chunks: Iterable[pa.Table], out: BinaryIO) -> None:
    out.write((",".join(FIELDS) + "\n").encode())
    out.writelines(_csv_bytes(table, ",") for table in chunks)


def _write_csv_excel(chunks: Iterable[pa.Table], out: BinaryIO) -> None:
    # What Excel saves as "CSV" in a German or French locale: ';', decimal comma, day-first dates,
    # the ANSI code page and CRLF.
    out.write((";".join(FIELDS) + "\r\n").encode("cp1252"))
    for table in chunks:
        for field in DECIMAL_FIELDS:
            table = _replace(table, field, pc.replace_substring(table[field], ".", ","))
        dates = pc.replace_substring_regex(
            table["import_date"], pattern=r"^(\d{4})-(\d{2})-(\d{2})$", replacement=r"\3.\2.\1"
        )
        table = _replace(table, "import_date", dates)
        text = _csv_bytes(table, ";").decode("utf-8")
        out.write(text.replace("\n", "\r\n").encode("cp1252"))


def _csv_bytes(table: pa.Table, delimiter: str) -> bytes:
    # No generated value holds a delimiter, quote or line break, so nothing needs quoting (pyarrow's
    # "needed" style would quote every text value) and a value that did would raise here.
    sink = pa.BufferOutputStream()
    options = pa_csv.WriteOptions(include_header=False, delimiter=delimiter, quoting_style="none")
    pa_csv.write_csv(table, sink, options)
    return sink.getvalue().to_pybytes()


def _replace(table: pa.Table, field: str, column: pa.Array | pa.ChunkedArray) -> pa.Table:
    return table.set_column(table.schema.get_field_index(field), field, column)


def _json_objects(table: pa.Table) -> list[str]:
    """One JSON object per row: numbers as JSON numbers, missing values as null, built column-wise."""
    members = []
    for field in FIELDS:
        column = table[field]
        if field not in INTEGER_FIELDS | DECIMAL_FIELDS:
            # Generated text holds no quote, backslash or control character: quoting is escaping enough.
            column = pc.binary_join_element_wise('"', column, '"', "")
        members.append(pc.binary_join_element_wise(f'"{field}":', pc.fill_null(column, "null"), ""))
    objects = pc.binary_join_element_wise("{", pc.binary_join_element_wise(*members, ","), "}", "")
    return objects.to_pylist()


def _write_jsonl(chunks: Iterable[pa.Table], out: BinaryIO) -> None:
    out.writelines("".join(f"{line}\n" for line in _json_objects(table)).encode() for table in chunks)


def _write_json(chunks: Iterable[pa.Table], out: BinaryIO) -> None:
    separator = "\n"
    out.write(b"[")
    for table in chunks:
        objects = _json_objects(table)
        if objects:
            out.write((separator + ",\n".join(objects)).encode())
            separator = ",\n"
    out.write(b"\n]\n")


_STREAM_WRITERS: dict[str, Callable[[Iterable[pa.Table], BinaryIO], None]] = {
    "csv": _write_csv,
    "csv_excel": _write_csv_excel,
    "json": _write_json,
    "jsonl": _write_jsonl,
}


def _xlsx_bytes(chunks: Iterable[pa.Table], preamble: Sequence[str]) -> bytes:
    # A normal (not write-only) workbook: like Excel's own files it records the sheet's dimension and
    # shares strings, so readers see rectangular rows.
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "CBAM imports"
    for line in preamble:
        sheet.append([line])
    sheet.append(list(FIELDS))
    for table in chunks:
        for record in table.to_pylist():
            sheet.append([_xlsx_cell(field, record[field]) for field in FIELDS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _reproducible_zip(buffer.getvalue())


def _xlsx_cell(field: str, value: str | None) -> str | int | float | dt.date | None:
    # As a spreadsheet holds them: typed numbers and dates; what is not a valid date stays text as typed.
    if value is None:
        return None
    if field in INTEGER_FIELDS:
        return int(value)
    if field in DECIMAL_FIELDS:
        return float(value)
    if field == "import_date":
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _reproducible_zip(data: bytes) -> bytes:
    """The workbook with fixed timestamps (zip entries and document properties): same rows, same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>2026-01-01T00:00:00Z", content
                )
            entry = zipfile.ZipInfo(info.filename, _FIXED_ZIP_TIME)
            target.writestr(entry, content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


# --- the demo landing tree ------------------------------------------------------------------------------------

SHIPMENTS_SOURCE = "customs__cbam_shipments"
REFERENCE_TENANT = "global"
REFERENCE_SOURCES = {"cbam__default_values": DEFAULT_VALUES_FILE, "cbam__goods": GOODS_FILE}
DEMO_SEED = 2026


@dataclass(frozen=True)
class DemoFile:
    tenant: str
    name: str
    fmt: ShipmentFormat
    rows: int
    preamble: tuple[str, ...] = ()


DEMO_FILES = (
    DemoFile("acme-steel", "broker_export_2026.csv", "csv_excel", 1200),
    DemoFile(
        "acme-steel",
        "customs_declarations_2026.xlsx",
        "xlsx",
        400,
        ("Acme Steel GmbH - imports of CBAM goods", "Customs declaration lines, 2026"),
    ),
    DemoFile("acme-steel", "erp_shipments_2026.json", "json", 600),
    DemoFile("nordic-cement", "broker_export_2026.csv", "csv_excel", 500),
    DemoFile(
        "nordic-cement",
        "customs_declarations_2026.xlsx",
        "xlsx",
        300,
        ("Nordic Cement AB - imports of CBAM goods", "Customs declaration lines, 2026"),
    ),
    DemoFile("nordic-cement", "erp_shipments_2026.json", "json", 300),
    DemoFile("nordic-cement", "customs_lines_2026.jsonl", "jsonl", 400),
    DemoFile("nordic-cement", "customs_lines_2026.csv", "csv", 600),
)


def write_demo_landing(landing_dir: Path, *, seed: int = DEMO_SEED) -> list[Path]:
    """Lay out the demo landing tree; a file whose bytes would not change is left untouched."""
    written = []
    for index, spec in enumerate(DEMO_FILES):
        target = landing_dir / spec.tenant / SHIPMENTS_SOURCE / spec.name
        # Each file its own seed, so that no two files repeat declarations.
        file_seed = seed * len(DEMO_FILES) + index
        written.append(
            _write_if_changed(
                target,
                lambda part, spec=spec, file_seed=file_seed: generate_shipments(
                    part, spec.rows, seed=file_seed, tenant=spec.tenant, fmt=spec.fmt, preamble=spec.preamble
                ),
            )
        )
    for source, reference in REFERENCE_SOURCES.items():
        target = landing_dir / REFERENCE_TENANT / source / reference.name
        written.append(
            _write_if_changed(
                target, lambda part, reference=reference: part.write_bytes(reference.read_bytes())
            )
        )
    return written


def _write_if_changed(target: Path, write: Callable[[Path], object]) -> Path:
    """Write through a hidden part file beside ``target``, then rename it into place unless unchanged.

    The part file is on the same file system, so the rename is atomic, and hidden, so that a watcher of
    the landing directory need not see a half-written file; an unchanged file keeps its modification time.
    """
    part = target.with_name(f".{target.name}.part")
    part.parent.mkdir(parents=True, exist_ok=True)
    try:
        write(part)
        if not (target.is_file() and filecmp.cmp(part, target, shallow=False)):
            os.replace(part, target)
    finally:
        part.unlink(missing_ok=True)
    return target


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m demo.generate", description="Create the demo landing tree."
    )
    parser.add_argument("--landing-dir", type=Path, required=True, help="root of the landing tree")
    parser.add_argument("--seed", type=int, default=DEMO_SEED, help="default: %(default)s")
    args = parser.parse_args(argv)
    for path in write_demo_landing(args.landing_dir, seed=args.seed):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
