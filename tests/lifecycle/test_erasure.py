"""The erasure command of docs/governance.md: a tenant's personal data crypto-shredded, configured by
environment only; refused without --confirm or for a name that is no tenant id."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from greenlang.core.loader import load_file
from greenlang.core.personal_data import KeyStore, reveal
from greenlang.core.warehouse import Warehouse
from greenlang.ghg.sources import BUSINESS_TRAVEL
from greenlang.lifecycle.erasure import main
from greenlang.settings import load_settings

TRIPS = """trip_id,employee_id,trip_date,mode,origin,destination,distance_km,passengers,cabin_class,nights
T1,E-1001,2026-05-04,rail,London,Manchester,262,1,,
T2,E-2002,2026-05-05,air,LHR,CDG,,1,economy,
"""


def test_the_erasure_command_shreds_a_tenants_personal_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GREENLANG_TARGET", "duckdb")
    monkeypatch.setenv("GREENLANG_DUCKDB_PATH", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("GREENLANG_KEY_STORE", str(tmp_path / "keys"))
    monkeypatch.setenv("GREENLANG_TENANTS", "acme")
    settings = load_settings()
    trips = tmp_path / "trips.csv"
    trips.write_text(TRIPS, encoding="utf-8")
    load_file(Warehouse(settings), BUSINESS_TRAVEL, trips, "acme")
    with Warehouse(settings).session() as session:
        pseudonym = session.scalar("SELECT employee_id FROM raw.travel__business_travel WHERE trip_id = 'T1'")
        assert reveal(session, KeyStore(settings.key_store), "acme", pseudonym) == "E-1001"

    for refused in (["acme"], ["Not A Tenant", "--confirm"]):
        with pytest.raises(SystemExit):
            main(refused)
    assert (settings.key_store / "acme.kek").exists()

    assert main(["acme", "--confirm"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "tenant_id": "acme",
        "key_shredded": True,
        "originals_deleted": 2,
    }
    assert not (settings.key_store / "acme.kek").exists()
    with Warehouse(settings).session() as session:
        assert reveal(session, KeyStore(settings.key_store), "acme", pseudonym) is None
        assert session.scalar("SELECT count(*) FROM raw.travel__business_travel") == 2  # the rows stay
