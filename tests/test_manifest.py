"""The dbt manifest is parsed again only when the project changed after it was written
(greenlang/warehouse/manifest.py: `make manifest` and the code location under `dagster dev`)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from greenlang.warehouse.manifest import dbt_executable, manifest_is_current, parse_inputs


def project(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "dbt_project"
    (root / "models" / "staging").mkdir(parents=True)
    (root / "macros").mkdir()
    (root / "dbt_project.yml").write_text("name: p\n")
    (root / "models" / "staging" / "stg_a.sql").write_text("select 1\n")
    manifest = root / "target" / "duckdb" / "manifest.json"
    manifest.parent.mkdir(parents=True)
    manifest.write_text("{}")
    return root, manifest


def parsed_a_while_ago(root: Path, manifest: Path) -> None:
    """Project files a minute old, the manifest written after them (half a minute ago)."""
    now = time.time()
    for path in [root, *root.rglob("*")]:
        os.utime(path, (now - 60, now - 60))
    os.utime(manifest, (now - 30, now - 30))


def is_current(root: Path, manifest: Path) -> bool:
    return manifest_is_current(manifest, [path for path in parse_inputs(root) if path != dbt_executable()])


def test_a_manifest_newer_than_every_project_file_is_current(tmp_path: Path) -> None:
    root, manifest = project(tmp_path)
    parsed_a_while_ago(root, manifest)
    assert is_current(root, manifest)


def test_an_edited_added_or_removed_model_makes_it_stale(tmp_path: Path) -> None:
    root, manifest = project(tmp_path)
    model = root / "models" / "staging" / "stg_a.sql"
    for change in (
        lambda: model.write_text("select 2\n"),
        lambda: (root / "models" / "staging" / "stg_b.sql").write_text("select 3\n"),
        lambda: model.unlink(),
        lambda: (root / "dbt_project.yml").write_text("name: q\n"),
    ):
        parsed_a_while_ago(root, manifest)
        assert is_current(root, manifest)
        change()
        assert not is_current(root, manifest)


def test_a_missing_manifest_is_stale(tmp_path: Path) -> None:
    root, manifest = project(tmp_path)
    manifest.unlink()
    assert not is_current(root, manifest)


def test_the_inputs_are_the_project_files_its_folders_and_the_dbt_that_parses(tmp_path: Path) -> None:
    root, manifest = project(tmp_path)
    inputs = set(parse_inputs(root))
    assert {root / "dbt_project.yml", root / "models", root / "models" / "staging" / "stg_a.sql"} <= inputs
    assert dbt_executable() in inputs
    assert manifest not in inputs
