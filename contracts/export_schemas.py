"""Write the committed JSON Schema of every contract, or check that the committed files are current.

    python -m contracts.export_schemas           # (re)write contracts/schemas/<ContractName>.v<major>.json
    python -m contracts.export_schemas --check   # exit 1 and list the files that differ or are missing

One file per major version: a minor or patch change rewrites the file of its major version, a breaking
change starts a new one and the old file stays for the records still carrying it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from contracts import CONTRACTS
from contracts.base import Contract

SCHEMA_DIR = Path(__file__).parent / "schemas"


def schema_filename(contract: type[Contract]) -> str:
    major = contract.contract_version.split(".", 1)[0]
    return f"{contract.contract_name}.v{major}.json"


def render_schema(contract: type[Contract]) -> str:
    # Sorted keys and a fixed indent make the text a function of the contract alone, so a diff is a change.
    return json.dumps(contract.json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def expected_files(contracts: Iterable[type[Contract]]) -> dict[str, str]:
    return {schema_filename(contract): render_schema(contract) for contract in contracts}


def drifted_files(schema_dir: Path, expected: dict[str, str]) -> list[Path]:
    """The files of ``expected`` that are missing from ``schema_dir`` or differ from their rendering."""
    drifted = []
    for name, text in sorted(expected.items()):
        path = schema_dir / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            drifted.append(path)
    return drifted


def write_files(schema_dir: Path, expected: dict[str, str]) -> list[Path]:
    """Write the files that differ; returns the paths written."""
    schema_dir.mkdir(parents=True, exist_ok=True)
    written = drifted_files(schema_dir, expected)
    for path in written:
        path.write_text(expected[path.name], encoding="utf-8", newline="\n")
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m contracts.export_schemas", description="Write or check the contracts' JSON Schemas."
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if a committed schema is out of date")
    parser.add_argument("--schema-dir", type=Path, default=SCHEMA_DIR, help="default: %(default)s")
    args = parser.parse_args(argv)

    expected = expected_files(CONTRACTS.values())
    if args.check:
        drifted = drifted_files(args.schema_dir, expected)
        for path in drifted:
            print(f"schema out of date: {path}", file=sys.stderr)
        if drifted:
            print("run: python -m contracts.export_schemas", file=sys.stderr)
        return 1 if drifted else 0
    for path in write_files(args.schema_dir, expected):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
