"""Personal data in the raw layer: pseudonyms for analysts, the originals encrypted per tenant, and
crypto-shredding.

A contract marks a field personal (``Field(json_schema_extra={"personal": True})``: a traveller's or a
worker's id). As a batch loads, each such value is replaced, in the raw table and in the dead letters,
by its **pseudonym**: ``p_`` + HMAC-SHA256 of the value under the tenant's pseudonym key (the same
person, the same pseudonym, within one tenant; unlinkable across tenants). The original goes to
``raw.personal_data``, encrypted (AES-256-GCM, the tenant and pseudonym as associated data), so a
subject access request can still be answered.

Keys (envelope encryption, NIST SP 800-57 Part 1 §6.1 terms):
- a **key-encryption key** per tenant lives outside the warehouse, in the key store (a folder of one
  file per tenant, ``GREENLANG_KEY_STORE``; a deployment points it at its secrets volume);
- the tenant's **data key** (256 bits, random) is stored in ``raw.tenant_data_key`` only wrapped by
  it (AES key wrap, RFC 3394); the pseudonym key and the encryption key are derived from the data key
  with HKDF-SHA256 (RFC 5869).

Deleting a tenant's key-encryption key (``shred``) makes its data key, and so every encrypted original
and the pseudonym function, unrecoverable: the pseudonyms left in the warehouse name nobody (GDPR
Art. 4(5), pseudonymisation; Art. 17, erasure). Figures computed over pseudonyms do not change.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

from greenlang.core.contract import Contract
from greenlang.core.warehouse import RAW_SCHEMA, Session, utcnow

PSEUDONYM_PREFIX = "p_"


class KeyShredded(RuntimeError):
    """The tenant's key-encryption key is gone (or another key wrapped its data key): its personal data
    cannot be read any more."""


def personal_fields(contract: type[Contract]) -> tuple[str, ...]:
    return tuple(
        name
        for name, info in contract.model_fields.items()
        if isinstance(info.json_schema_extra, dict) and info.json_schema_extra.get("personal")
    )


class KeyStore:
    """One key-encryption key per tenant, a file ``<tenant>.kek`` (owner read/write only) in ``folder``."""

    def __init__(self, folder: Path):
        self.folder = folder

    def _path(self, tenant_id: str) -> Path:
        return self.folder / f"{tenant_id}.kek"

    def key(self, tenant_id: str, *, create: bool) -> bytes:
        path = self._path(tenant_id)
        if not path.exists():
            if not create:
                raise KeyShredded(
                    f"tenant {tenant_id!r} has no key in the key store: its personal data is shredded"
                )
            self.folder.mkdir(parents=True, exist_ok=True)
            try:  # O_EXCL: of two loads creating it at once, one writes it and both read that one
                descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(descriptor, "w") as handle:
                    handle.write(base64.b64encode(secrets.token_bytes(32)).decode())
        return base64.b64decode(path.read_text().strip())

    def shred(self, tenant_id: str) -> bool:
        """Delete the tenant's key-encryption key; False if it had none."""
        path = self._path(tenant_id)
        if not path.exists():
            return False
        path.unlink()
        return True


def _derive(data_key: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"greenlang " + purpose).derive(
        data_key
    )


@dataclass(frozen=True)
class TenantKeys:
    tenant_id: str
    key_id: str
    pseudonym_key: bytes
    encryption_key: bytes

    @classmethod
    def from_data_key(cls, tenant_id: str, key_id: str, data_key: bytes) -> TenantKeys:
        return cls(tenant_id, key_id, _derive(data_key, b"pseudonym"), _derive(data_key, b"encryption"))

    def pseudonym(self, value: str) -> str:
        digest = hmac.new(self.pseudonym_key, value.encode("utf-8"), hashlib.sha256).hexdigest()
        return PSEUDONYM_PREFIX + digest[:32]

    def encrypt(self, pseudonym: str, value: str) -> str:
        nonce = secrets.token_bytes(12)
        sealed = AESGCM(self.encryption_key).encrypt(nonce, value.encode("utf-8"), self._aad(pseudonym))
        return base64.b64encode(nonce + sealed).decode("ascii")

    def decrypt(self, pseudonym: str, ciphertext: str) -> str:
        raw = base64.b64decode(ciphertext)
        return AESGCM(self.encryption_key).decrypt(raw[:12], raw[12:], self._aad(pseudonym)).decode("utf-8")

    def _aad(self, pseudonym: str) -> bytes:
        return f"{self.tenant_id}/{pseudonym}".encode()


def tenant_keys(session: Session, store: KeyStore, tenant_id: str, *, create: bool = False) -> TenantKeys:
    """The tenant's keys: its data key unwrapped with the store's key-encryption key, created (with the
    key-encryption key if need be) on the tenant's first personal value when ``create``."""
    kek = store.key(tenant_id, create=create)
    row = _stored_data_key(session, tenant_id)
    if row is None:
        if not create:
            raise KeyShredded(f"tenant {tenant_id!r} has no data key")
        wrapped = base64.b64encode(aes_key_wrap(kek, secrets.token_bytes(32))).decode("ascii")
        session.execute(
            f"INSERT INTO {RAW_SCHEMA}.tenant_data_key (tenant_id, key_id, wrapped_key, created_at) "
            "VALUES (%(tenant)s, %(key_id)s, %(wrapped)s, %(now)s) ON CONFLICT (tenant_id) DO NOTHING",
            {
                "tenant": tenant_id,
                "key_id": secrets.token_hex(8),
                "wrapped": wrapped,
                "now": utcnow(),
            },
        )
        row = _stored_data_key(session, tenant_id)  # ours, or a concurrent load's that won
        assert row is not None
    key_id, wrapped = row
    try:
        data_key = aes_key_unwrap(kek, base64.b64decode(wrapped))
    except InvalidUnwrap as error:
        raise KeyShredded(
            f"tenant {tenant_id!r}: the key store's key does not open the stored data key (the key that "
            "wrapped it was shredded)"
        ) from error
    return TenantKeys.from_data_key(tenant_id, key_id, data_key)


def _stored_data_key(session: Session, tenant_id: str) -> tuple[str, str] | None:
    rows = session.fetchall(
        f"SELECT key_id, wrapped_key FROM {RAW_SCHEMA}.tenant_data_key WHERE tenant_id = %(tenant)s",
        {"tenant": tenant_id},
    )
    return (rows[0][0], rows[0][1]) if rows else None


class Pseudonymiser:
    """What one load does to one batch: personal columns to pseudonyms, the originals to the vault."""

    def __init__(self, keys: TenantKeys, fields: Iterable[str], source_columns: dict[str, str]):
        self.keys = keys
        self.fields = tuple(fields)
        # a rejected record shows the file's column names: the received column of each personal field
        self.source_columns = {source_columns[name]: name for name in self.fields if name in source_columns}

    def protect(self, table: pa.Table) -> tuple[pa.Table, dict[str, str]]:
        """``table`` with each personal column's values replaced by pseudonyms; the originals by pseudonym."""
        originals: dict[str, str] = {}
        for name in self.fields:
            index = table.schema.get_field_index(name)
            distinct = pc.unique(table.column(name)).to_pylist()
            mapping = {value: self._pseudonym(value, originals) for value in distinct if value is not None}
            values = [None if value is None else mapping[value] for value in table.column(name).to_pylist()]
            table = table.set_column(index, name, pa.array(values, pa.string()))
        return table, originals

    def protect_received(self, raw_record: str, originals: dict[str, str]) -> str:
        """A dead letter's received values (JSON) with the personal ones replaced by pseudonyms."""
        received = json.loads(raw_record)
        for column in self.source_columns:
            value = received.get(column)
            if isinstance(value, str) and value.strip():
                received[column] = self._pseudonym(value.strip(), originals)
        return json.dumps(received, ensure_ascii=False)

    def vault_rows(self, originals: dict[str, str], batch_id: str) -> pa.Table:
        pseudonyms = sorted(originals)
        return pa.table(
            {
                "tenant_id": pa.array([self.keys.tenant_id] * len(pseudonyms), pa.string()),
                "pseudonym": pa.array(pseudonyms, pa.string()),
                "key_id": pa.array([self.keys.key_id] * len(pseudonyms), pa.string()),
                "ciphertext": pa.array(
                    [self.keys.encrypt(pseudonym, originals[pseudonym]) for pseudonym in pseudonyms],
                    pa.string(),
                ),
                "_batch_id": pa.array([batch_id] * len(pseudonyms), pa.string()),
            }
        )

    def _pseudonym(self, value: str, originals: dict[str, str]) -> str:
        pseudonym = self.keys.pseudonym(value)
        originals[pseudonym] = value
        return pseudonym


def reveal(session: Session, store: KeyStore, tenant_id: str, pseudonym: str) -> str | None:
    """The original behind a tenant's pseudonym (a subject access request); None if the vault has none.
    Raises ``KeyShredded`` once the tenant's key is gone."""
    rows = session.fetchall(
        f"SELECT ciphertext FROM {RAW_SCHEMA}.personal_data WHERE tenant_id = %(tenant)s "
        "AND pseudonym = %(pseudonym)s",
        {"tenant": tenant_id, "pseudonym": pseudonym},
    )
    if not rows:
        return None
    return tenant_keys(session, store, tenant_id).decrypt(pseudonym, rows[0][0])


def erase_tenant_personal_data(session: Session, store: KeyStore, tenant_id: str) -> dict[str, int | bool]:
    """The erasure procedure (docs/design.md, "Personal data"): shred the tenant's key-encryption key,
    then drop what only it could open. The pseudonymised rows and every figure stay as they are."""
    shredded = store.shred(tenant_id)
    with session.transaction():
        vault = session.scalar(
            f"SELECT count(*) FROM {RAW_SCHEMA}.personal_data WHERE tenant_id = %(tenant)s",
            {"tenant": tenant_id},
        )
        session.execute(
            f"DELETE FROM {RAW_SCHEMA}.personal_data WHERE tenant_id = %(tenant)s", {"tenant": tenant_id}
        )
        session.execute(
            f"DELETE FROM {RAW_SCHEMA}.tenant_data_key WHERE tenant_id = %(tenant)s", {"tenant": tenant_id}
        )
    return {"key_shredded": shredded, "originals_deleted": int(vault or 0)}
