"""A hostile landing directory, on both engines: every entry of a declared source's folder is loaded or
recorded as refused with its reason (once), no entry loads under a tenant it does not belong to, no
symbolic link is followed, and no error quotes what a file holds.

The corpus is built at test time in a temporary directory (symbolic links, a FIFO and names with trailing
spaces do not travel well in a repository); the acme-steel and nordic-cement deliveries load first, and
each case checks its entry's outcome and that neither tenant's rows changed.
"""

from __future__ import annotations

import gzip
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

import dagster as dg
import pytest

from greenlang.cbam.sources import CBAM_SHIPMENTS
from greenlang.core.landing import LANDING_SUFFIXES, landed_files, readable_format
from greenlang.core.readers._open import _BY_SUFFIX, COMPRESSED_SUFFIX
from greenlang.core.row_conservation import row_conservation_violations
from greenlang.core.tenants import GLOBAL_TENANT, invalid_tenant_id, tenant_refusal
from greenlang.core.warehouse import Warehouse, WarehouseResource
from greenlang.ingest.assets import build_ingestion_asset, raw_asset_key
from greenlang.ingest.sensors import build_landing_sensor, build_load_jobs

SOURCE = CBAM_SHIPMENTS.name
HEADER = "declarant_eori,declaration_id,declaration_line,import_date,cn_code,origin_country,net_mass_tonnes,customs_procedure"
SECRET = "root:x:0:0:TOP-SECRET-7f3a9c:/root:/bin/bash"
OP = raw_asset_key(CBAM_SHIPMENTS).to_python_identifier()
XLS_FILE = Path(__file__).parents[1] / "data" / "bad_inputs" / "shipments_end_marker.xls"


def _path_of(uri: str) -> Path:
    return Path(unquote(urlparse(uri).path))


def _shipment(declaration: str, tonnes: str) -> str:
    return f"{HEADER}\nDE1,{declaration},1,2026-03-02,72081000,CN,{tonnes},40\n"


@dataclass(frozen=True)
class Case:
    """An entry of the landing directory and what must become of it: a ledger ``status`` (``None``: no
    ledger row at all, the entry is not read), and a part of the refusal's reason."""

    tenant: str
    name: str
    status: str | None
    reason: str = ""
    source: str = SOURCE


CASES = {
    "trailing_space_tenant": Case("acme-steel ", "evil.csv", "refused", "not a valid tenant id"),
    "upper_case_tenant": Case("Acme-Steel", "evil.csv", "refused", "not a valid tenant id"),
    "unregistered_tenant": Case("evil-corp", "evil.csv", "refused", "is not registered"),
    "symlink_to_other_tenants_file": Case(
        "acme-steel", "nordic.csv", "refused", "the file is a symbolic link"
    ),
    "symlink_to_folder": Case("acme-steel", "nordic-folder", "refused", "the file is a symbolic link"),
    "symlink_outside_landing": Case("acme-steel", "passwd.csv", "refused", "the file is a symbolic link"),
    "dangling_symlink": Case("acme-steel", "gone.csv", "refused", "the file is a symbolic link"),
    "symlinked_tenant_folder": Case("acme", "good.csv", "refused", "the tenant folder is a symbolic link"),
    "symlinked_source_folder": Case("nordic", "good.csv", "refused", "the source folder is a symbolic link"),
    "hidden_file": Case("acme-steel", ".hidden.csv", "refused", "a hidden file"),
    "no_extension": Case("acme-steel", "README", "refused", "no extension"),
    "pdf": Case("acme-steel", "report.pdf", "refused", "unsupported file type '.pdf'"),
    "zip": Case("acme-steel", "archive.zip", "refused", "unsupported file type '.zip'"),
    "gzip_inside_gzip": Case("acme-steel", "twice.csv.gz.gz", "refused", "unsupported file type '.gz'"),
    "folder_in_source_folder": Case("acme-steel", "subfolder", "refused", "a folder"),
    "fifo": Case("acme-steel", "pipe.csv", "refused", "not a regular file"),
    "gzip_of_csv": Case("acme-steel", "more.csv.gz", "succeeded"),
    "xls": Case("acme-steel", "legacy.xls", "succeeded"),
    "zero_byte_file": Case("acme-steel", "empty.csv", "failed"),
    "secret_in_header": Case("acme-steel", "secret-header.csv", "failed", "required column(s) missing"),
    "unknown_source_folder": Case("acme-steel", "x.csv", None, source="unknown__things"),
    "file_outside_source_folder": Case("acme-steel", "stray.csv", None, source=""),
    "partial_upload": Case("acme-steel", "upload.csv.part", None),
    "office_lock_file": Case("acme-steel", "~$legacy.xlsx", None),
}


def _build_corpus(landing: Path, outside: Path) -> None:
    def folder(tenant: str, source: str = SOURCE) -> Path:
        path = landing / tenant / source
        path.mkdir(parents=True, exist_ok=True)
        return path

    acme, nordic = folder("acme-steel"), folder("nordic-cement")
    for tenant in ("acme-steel ", "Acme-Steel", "evil-corp"):
        (folder(tenant) / "evil.csv").write_text(_shipment("A1", "99999"))
    secret = outside / "passwd.csv"
    secret.write_text(SECRET + "\n")
    (acme / "nordic.csv").symlink_to(nordic / "good.csv")
    (acme / "nordic-folder").symlink_to(nordic, target_is_directory=True)
    (acme / "passwd.csv").symlink_to(secret)
    (acme / "gone.csv").symlink_to(outside / "missing.csv")
    (landing / "acme").symlink_to(landing / "nordic-cement", target_is_directory=True)
    (landing / "nordic").mkdir()
    (landing / "nordic" / SOURCE).symlink_to(acme, target_is_directory=True)
    (acme / ".hidden.csv").write_text(_shipment("H1", "99999"))
    (acme / "README").write_text(_shipment("R1", "99999"))
    (acme / "report.pdf").write_bytes(b"%PDF-1.7\n" + SECRET.encode())
    (acme / "archive.zip").write_bytes(b"PK\x03\x04" + SECRET.encode())
    (acme / "twice.csv.gz.gz").write_bytes(gzip.compress(gzip.compress(_shipment("T1", "99999").encode())))
    (acme / "subfolder").mkdir()
    (acme / "subfolder" / "inner.csv").write_text(_shipment("S1", "99999"))
    os.mkfifo(acme / "pipe.csv")
    (acme / "more.csv.gz").write_bytes(gzip.compress(_shipment("G1", "2.5").encode()))
    shutil.copy(XLS_FILE, acme / "legacy.xls")
    (acme / "empty.csv").write_bytes(b"")
    (acme / "secret-header.csv").write_text(SECRET + "\n" + SECRET + "\n")
    (folder("acme-steel", "unknown__things") / "x.csv").write_text(_shipment("U1", "99999"))
    (landing / "acme-steel" / "stray.csv").write_text(_shipment("Y1", "99999"))
    (acme / "upload.csv.part").write_text(_shipment("P1", "99999"))
    (acme / "~$legacy.xlsx").write_bytes(b"\x00" * 162)


@dataclass(frozen=True)
class HostileRun:
    ledger: dict[tuple[str, str], list[tuple[str, int, str | None]]]
    rows_before: list[tuple]
    rows_after: list[tuple]
    dead_letters: list[str]
    logs: str
    sensor_files_after: list[str]
    violations: list[dict]


def _rows(warehouse: Warehouse, tenants: tuple[str, ...]) -> list[tuple]:
    with warehouse.session() as session:
        return session.fetchall(
            f"SELECT tenant_id, declaration_id, net_mass_tonnes, _source_uri FROM raw.{SOURCE} "
            "WHERE tenant_id IN (%(a)s, %(b)s) ORDER BY 1, 2, 4",
            {"a": tenants[0], "b": tenants[1]},
        )


@pytest.fixture(scope="module")
def hostile(module_warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> HostileRun:
    settings = module_warehouse.settings
    landing, outside = settings.landing_dir, tmp_path_factory.mktemp("outside")
    resources = {"warehouse": WarehouseResource.from_settings(settings)}
    asset = build_ingestion_asset(CBAM_SHIPMENTS, landing, settings.tenants)
    (landing / "acme-steel" / SOURCE).mkdir(parents=True)
    (landing / "nordic-cement" / SOURCE).mkdir(parents=True)
    (landing / "acme-steel" / SOURCE / "good.csv").write_text(_shipment("A1", "4.451"))
    (landing / "nordic-cement" / SOURCE / "good.csv").write_text(_shipment("N1", "7.25"))
    assert dg.materialize([asset], resources=resources).success
    tenants = ("acme-steel", "nordic-cement")
    rows_before = _rows(module_warehouse, tenants)

    _build_corpus(landing, outside)
    logs = []
    for _ in range(2):  # a second run records no refusal twice
        result = dg.materialize([asset], resources=resources, raise_on_error=False)
        logs.extend(repr(event) for event in result.all_events)
    sensor = build_landing_sensor(
        (CBAM_SHIPMENTS,), build_load_jobs((CBAM_SHIPMENTS,)), landing, settings.tenants
    )
    requests = sensor(dg.build_sensor_context(resources=resources)).run_requests

    with module_warehouse.session() as session:
        ledger: dict[tuple[str, str], list[tuple[str, int, str | None]]] = {}
        for uri, status, rows_read, error in session.fetchall(
            "SELECT source_uri, status, rows_read, error FROM raw.load_batch ORDER BY started_at"
        ):
            tenant, name = _path_of(uri).parent.parent.name, _path_of(uri).name
            ledger.setdefault((tenant, name), []).append((status, rows_read, error))
        dead_letters = [str(row) for row in session.fetchall("SELECT * FROM raw.dead_letter")]
        violations = row_conservation_violations(session, SOURCE)
    return HostileRun(
        ledger=ledger,
        rows_before=rows_before,
        rows_after=_rows(module_warehouse, tenants),
        dead_letters=dead_letters,
        logs="\n".join(logs),
        sensor_files_after=sorted(
            Path(file).name
            for request in requests
            for file in request.run_config["ops"][OP]["config"]["files"]
        ),
        violations=violations,
    )


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_each_landed_entry_is_loaded_or_refused_with_its_reason_once(hostile: HostileRun, case: Case) -> None:
    batches = hostile.ledger.get((case.tenant, case.name), [])
    if case.status is None:
        assert batches == []
    elif case.status == "refused":
        # recorded once, though two runs saw it; no row read
        assert [(status, rows) for status, rows, _error in batches] == [("refused", 0)]
        assert case.reason in batches[0][2]
    elif case.status == "failed":
        assert {(status, rows) for status, rows, _error in batches} == {("failed", 0)}
        assert case.reason in batches[0][2]
    else:
        assert [status for status, _rows, _error in batches] == ["succeeded"]
        assert batches[0][1] > 0
    # no entry of the corpus changes a row either tenant had: what it adds is its own new rows
    added = [row for row in hostile.rows_after if row not in hostile.rows_before]
    assert set(hostile.rows_before) <= set(hostile.rows_after)
    assert {_path_of(uri).name for _tenant, _declaration, _tonnes, uri in added} == {
        "more.csv.gz",
        "legacy.xls",
    }
    assert all(tenant == "acme-steel" for tenant, *_ in added)


def test_the_other_tenants_rows_are_exactly_as_they_were(hostile: HostileRun) -> None:
    nordic = [row[:3] for row in hostile.rows_after if row[0] == "nordic-cement"]
    acme_line = [row[2] for row in hostile.rows_after if row[:2] == ("acme-steel", "A1")]
    assert [(tenant, declaration, float(tonnes)) for tenant, declaration, tonnes in nordic] == [
        ("nordic-cement", "N1", 7.25)
    ]
    assert [float(tonnes) for tonnes in acme_line] == [4.451]


def test_no_secret_reaches_the_ledger_the_dead_letter_or_the_logs(hostile: HostileRun) -> None:
    ledger_text = str(hostile.ledger)
    assert "TOP-SECRET" not in ledger_text
    assert not any("TOP-SECRET" in row for row in hostile.dead_letters)
    assert "TOP-SECRET" not in hostile.logs


def test_rows_are_conserved_and_the_sensor_asks_again_only_for_the_failed_files(hostile: HostileRun) -> None:
    assert hostile.violations == []
    # a refused entry is settled by its refused batch; only failed files (never succeeded) are asked for
    assert hostile.sensor_files_after == ["empty.csv", "secret-header.csv"]


def test_landing_suffixes_are_what_the_readers_read() -> None:
    assert set(_BY_SUFFIX) == LANDING_SUFFIXES
    assert readable_format(f"a.csv{COMPRESSED_SUFFIX}") and not readable_format("a.gz")


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        ("acme-steel", True),
        ("a1", True),
        (GLOBAL_TENANT, True),
        ("acme-steel ", False),
        (" acme-steel", False),
        ("Acme-Steel", False),
        ("-acme", False),
        ("a", False),
        ("acme_steel", False),
        ("acme/steel", False),
        ("ac\u00e9me", False),
        ("a" * 64, False),
    ],
)
def test_a_tenant_id_matches_one_strict_pattern(name: str, valid: bool) -> None:
    assert (invalid_tenant_id(name) is None) == valid


def test_a_valid_tenant_must_be_registered_but_global_always_is() -> None:
    assert tenant_refusal("acme-steel", {"acme-steel"}) is None
    assert tenant_refusal(GLOBAL_TENANT, set()) is None
    assert "not registered" in tenant_refusal("nordic-cement", {"acme-steel"})


def test_a_refused_entry_loads_once_its_tenant_is_registered(tmp_path: Path) -> None:
    path = tmp_path / "newco" / SOURCE / "a.csv"
    path.parent.mkdir(parents=True)
    path.write_text(_shipment("A1", "1"))
    (before,) = landed_files(tmp_path, set(), [SOURCE])
    (after,) = landed_files(tmp_path, {"newco"}, [SOURCE])
    assert "not registered" in before.refusal and after.refusal is None
    # the same identity in the ledger: the sensor looks for a refused batch only while it is refused
    assert before.sha256() == after.sha256()
