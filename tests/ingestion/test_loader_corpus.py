"""Every file of the bad-input corpus through the loader: rejected rows exactly as the manifest says."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from greenlang.cbam.sources import CBAM_SHIPMENTS
from greenlang.core.loader import LoadError, load_file
from greenlang.core.warehouse import Warehouse
from tests.helpers.warehouses import make_settings

CORPUS = Path(__file__).resolve().parents[1] / "data" / "bad_inputs"
MANIFEST = yaml.safe_load((CORPUS / "manifest.yaml").read_text(encoding="utf-8"))
LOADABLE = [entry for entry in MANIFEST if "expect_rejected_rows" in entry]
UNREADABLE = [entry for entry in MANIFEST if entry["outcome"] == "unreadable"]


@pytest.mark.parametrize("entry", LOADABLE, ids=[entry["file"] for entry in LOADABLE])
def test_corpus_file_loads_with_the_expected_rejections(entry: dict, tmp_path: Path) -> None:
    warehouse = Warehouse(make_settings("duckdb", tmp_path))
    result = load_file(warehouse, CBAM_SHIPMENTS, CORPUS / entry["file"], "acme")

    with warehouse.session() as session:
        dead = session.fetch_dicts(
            "SELECT source_row, errors, raw_record FROM raw.dead_letter ORDER BY source_row"
        )
        loaded = session.scalar("SELECT count(*) FROM raw.customs__cbam_shipments")
    assert [row["source_row"] for row in dead] == entry["expect_rejected_rows"]
    assert result.rows_read == entry["rows"] == loaded + len(dead)
    for row in dead:
        assert json.loads(row["errors"]), "a rejected row always says why"
        assert json.loads(row["raw_record"]), "and keeps what was received"


@pytest.mark.parametrize("entry", UNREADABLE, ids=[entry["file"] for entry in UNREADABLE])
def test_unreadable_corpus_file_fails_the_load_and_is_recorded(entry: dict, tmp_path: Path) -> None:
    warehouse = Warehouse(make_settings("duckdb", tmp_path))
    with pytest.raises(LoadError, match=re.escape(entry["message"])):
        load_file(warehouse, CBAM_SHIPMENTS, CORPUS / entry["file"], "acme")
    with warehouse.session() as session:
        assert session.scalar("SELECT status FROM raw.load_batch") == "failed"
