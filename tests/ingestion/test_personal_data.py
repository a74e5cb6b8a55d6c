"""Personal data (greenlang.core.personal_data): pseudonyms in raw and the dead letters, the originals
encrypted per tenant outside analysts' reach, crypto-shredding and erasure, on both engines."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag

from greenlang.core.loader import LoadError, load_file
from greenlang.core.personal_data import (
    KeyShredded,
    KeyStore,
    TenantKeys,
    erase_tenant_personal_data,
    personal_fields,
    reveal,
)
from greenlang.core.warehouse import Warehouse
from greenlang.erp.contracts import WorkdayExpenseItem
from greenlang.ghg.contracts import BusinessTrip
from greenlang.ghg.sources import BUSINESS_TRAVEL

TRIPS = """trip_id,employee_id,trip_date,mode,origin,destination,distance_km,passengers,cabin_class,nights
T1,E-1001,2026-05-04,rail,London,Manchester,262,1,,
T2,E-1001,2026-05-05,air,LHR,CDG,,1,economy,
T3, E-2002 ,2026-05-05,hotel,Paris,FR,,1,,2
T4,E-3003,2026-05-06,ferry,Dover,Calais,40,1,,
"""


def test_the_personal_fields_are_the_ids_of_people() -> None:
    assert personal_fields(BusinessTrip) == ("employee_id",)
    assert personal_fields(WorkdayExpenseItem) == ("worker_id",)


def test_a_pseudonym_is_stable_within_a_tenant_and_unlinkable_across_tenants() -> None:
    acme = TenantKeys.from_data_key("acme", "k1", bytes(32))
    nordic = TenantKeys.from_data_key("nordic", "k2", bytes(range(32)))
    assert acme.pseudonym("E-1001") == acme.pseudonym("E-1001") != acme.pseudonym("E-1002")
    assert acme.pseudonym("E-1001") != nordic.pseudonym("E-1001")
    assert acme.pseudonym("E-1001").startswith("p_") and "1001" not in acme.pseudonym("E-1001")
    sealed = acme.encrypt("p_x", "E-1001")
    assert acme.decrypt("p_x", sealed) == "E-1001"
    with pytest.raises(InvalidTag):  # bound to its pseudonym: a ciphertext moved to another one is refused
        acme.decrypt("p_y", sealed)
    with pytest.raises(InvalidTag):
        nordic.decrypt("p_x", sealed)


def test_the_key_store_keeps_one_private_key_per_tenant(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys")
    with pytest.raises(KeyShredded):
        store.key("acme", create=False)
    key = store.key("acme", create=True)
    assert len(key) == 32 and store.key("acme", create=True) == key != store.key("nordic", create=True)
    assert stat.S_IMODE((tmp_path / "keys" / "acme.kek").stat().st_mode) == 0o600
    assert store.shred("acme") and not store.shred("acme")


def test_analysts_see_pseudonyms_and_erasure_leaves_the_rows(warehouse: Warehouse, tmp_path: Path) -> None:
    path = tmp_path / "trips.csv"
    path.write_text(TRIPS, encoding="utf-8")
    loaded = load_file(warehouse, BUSINESS_TRAVEL, path, "acme")
    assert (loaded.rows_loaded, loaded.rows_rejected) == (3, 1)  # a ferry is no travel mode
    other = load_file(warehouse, BUSINESS_TRAVEL, path, "nordic")
    assert load_file(warehouse, BUSINESS_TRAVEL, path, "acme").status == "skipped"
    store = KeyStore(warehouse.settings.key_store)
    with warehouse.session() as session:
        rows = session.fetch_dicts(
            "SELECT tenant_id, trip_id, employee_id FROM raw.travel__business_travel ORDER BY tenant_id, trip_id"
        )
        dead = session.fetch_dicts("SELECT tenant_id, raw_record FROM raw.dead_letter ORDER BY tenant_id")
        everything = json.dumps(rows + dead)
        by_trip = {(row["tenant_id"], row["trip_id"]): row["employee_id"] for row in rows}
        # no original anywhere an analyst reads; one pseudonym per person and tenant
        assert "E-1001" not in everything and "E-2002" not in everything and "E-3003" not in everything
        assert by_trip["acme", "T1"] == by_trip["acme", "T2"] != by_trip["acme", "T3"]
        assert by_trip["acme", "T1"] != by_trip["nordic", "T1"]
        assert all(pseudonym.startswith("p_") for pseudonym in by_trip.values())
        rejected = json.loads(dead[0]["raw_record"])
        assert rejected["trip_id"] == "T4" and rejected["employee_id"].startswith("p_")
        # the originals, for the tenant's key holder (a subject access request); the dead letter's too
        assert reveal(session, store, "acme", by_trip["acme", "T1"]) == "E-1001"
        assert reveal(session, store, "acme", by_trip["acme", "T3"]) == "E-2002"
        assert reveal(session, store, "acme", rejected["employee_id"]) == "E-3003"
        assert reveal(session, store, "acme", by_trip["nordic", "T1"]) is None  # another tenant's
        assert session.scalar("SELECT count(*) FROM raw.personal_data WHERE tenant_id = 'acme'") == 3

        # crypto-shredding: without the key the originals cannot be read, whatever the warehouse holds
        store.shred("acme")
        with pytest.raises(KeyShredded):
            reveal(session, store, "acme", by_trip["acme", "T1"])
        erased = erase_tenant_personal_data(session, store, "acme")
        assert erased == {"key_shredded": False, "originals_deleted": 3}
        assert reveal(session, store, "acme", by_trip["acme", "T1"]) is None
        after = session.fetch_dicts(
            "SELECT tenant_id, trip_id, employee_id FROM raw.travel__business_travel ORDER BY tenant_id, trip_id"
        )
        # the rows, their pseudonyms and so every figure computed from them stay; the other tenant too
        assert after == rows
        assert reveal(session, store, "nordic", by_trip["nordic", "T3"]) == "E-2002"
    assert other.rows_loaded == 3

    # after erasure the tenant starts afresh: new keys, new pseudonyms, nothing links them to the old
    again = tmp_path / "again.csv"
    again.write_text(TRIPS.replace("T1,", "T9,"), encoding="utf-8")
    load_file(warehouse, BUSINESS_TRAVEL, again, "acme")
    with warehouse.session() as session:
        fresh = session.scalar(
            "SELECT employee_id FROM raw.travel__business_travel WHERE tenant_id = 'acme' AND trip_id = 'T9'"
        )
        assert fresh != by_trip["acme", "T1"] and reveal(session, store, "acme", fresh) == "E-1001"


def test_a_load_after_the_key_was_shredded_but_not_erased_fails_clearly(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    path = tmp_path / "trips.csv"
    path.write_text(TRIPS, encoding="utf-8")
    load_file(warehouse, BUSINESS_TRAVEL, path, "acme")
    KeyStore(warehouse.settings.key_store).shred("acme")
    more = tmp_path / "more.csv"
    more.write_text(TRIPS.replace("T1,", "T8,"), encoding="utf-8")
    with pytest.raises(LoadError, match=r"the key that wrapped it was shredded.*finish the tenant.s erasure"):
        load_file(warehouse, BUSINESS_TRAVEL, more, "acme")
