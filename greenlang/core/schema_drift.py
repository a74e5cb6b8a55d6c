"""Schema drift of a delivery: how its header differs from the previous delivery of the same source and
tenant, and from the contract. Recorded in the ledger (``raw.load_batch.schema_drift``) by the load that
reads it, in the transaction that writes its rows; the ``schema_drift`` asset check of every raw table
reports the batches that drifted.

A column that left and another that arrived in the same place of the header (between the same
neighbouring columns, paired in order) count as a rename (old → new): a publisher that renames a column
keeps its place far more often than it moves it, and a rename is what a reader of the drift report wants
to be told. Any other difference is an added or a missing column; a column that only moved is no drift.

An API page (JSON records) is judged more narrowly (``api_page_drift``): an API returns its entity's whole
record, of which a contract takes what it needs, and may leave a field out of a page whose records have it
empty (Workday RaaS does), so neither the fields a contract does not use nor a field absent from one page
is drift. What is: a field the contract does not know that the previous page did not carry either, the
sign that the vendor changed the entity.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher


@dataclass(frozen=True)
class HeaderChange:
    added: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.missing or self.renamed)


@dataclass(frozen=True)
class SchemaDrift:
    """``previous``: against the header of the previous delivery (None for a first delivery);
    ``contract``: columns the contract does not know (``added``) and contract fields absent (``missing``)."""

    previous: HeaderChange | None
    contract: HeaderChange

    def __bool__(self) -> bool:
        return bool(self.previous) or bool(self.contract)

    def to_json(self) -> str:
        return json.dumps(
            {
                "previous": asdict(self.previous) if self.previous is not None else None,
                "contract": asdict(self.contract),
            },
            ensure_ascii=False,
        )


def header_change(before: Sequence[str], after: Sequence[str]) -> HeaderChange:
    """What changed from header ``before`` to header ``after`` (order of columns alone is no change)."""
    gone = [column for column in before if column not in after]
    new = [column for column in after if column not in before]
    renamed = []
    # the columns that left and arrived between the same neighbours, paired in order
    for tag, old_start, old_end, new_start, new_end in SequenceMatcher(
        a=list(before), b=list(after), autojunk=False
    ).get_opcodes():
        if tag == "replace":
            left = [column for column in before[old_start:old_end] if column in gone]
            arrived = [column for column in after[new_start:new_end] if column in new]
            renamed.extend(zip(left, arrived, strict=False))
    renamed_old = {old for old, _new in renamed}
    renamed_new = {new_name for _old, new_name in renamed}
    return HeaderChange(
        added=[column for column in new if column not in renamed_new],
        missing=[column for column in gone if column not in renamed_old],
        renamed=renamed,
    )


def delivery_drift(
    header: Sequence[str],
    previous_header: Sequence[str] | None,
    absent_fields: Sequence[str],
    unknown_columns: Sequence[str],
) -> SchemaDrift:
    """The drift of a delivery with ``header``: against ``previous_header`` (None: its first delivery), and
    against the contract, whose ``absent_fields`` the header lacks and which has no use for its
    ``unknown_columns``."""
    return SchemaDrift(
        previous=header_change(previous_header, header) if previous_header is not None else None,
        contract=HeaderChange(added=list(unknown_columns), missing=list(absent_fields)),
    )


def api_page_drift(
    header: Sequence[str], previous_header: Sequence[str] | None, unknown_columns: Sequence[str]
) -> SchemaDrift:
    """The drift of an API page (see the module): the fields unknown to the contract that the previous page
    of the source and tenant did not carry; none for a first page."""
    if previous_header is None:
        return SchemaDrift(previous=None, contract=HeaderChange())
    return SchemaDrift(
        previous=HeaderChange(added=[field for field in unknown_columns if field not in previous_header]),
        contract=HeaderChange(),
    )
