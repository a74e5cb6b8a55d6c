"""The layout's dependency rules (docs/architecture.md, "Code layout"), checked on the imports themselves:

- nothing deployed (``greenlang``) imports a development tool (``simulators``, ``demo``, ``bench``, ``tests``);
- ``greenlang.core`` (the framework) imports no domain, and ``greenlang.ingest`` only the framework;
- a domain imports no other domain, except through ``greenlang.catalog`` or the framework;
- ``greenlang.looker`` (LookML from the dbt manifest) reads the manifest, never the domains; so does
  ``greenlang.observe`` (the reports downstream of a batch), besides the framework;
- ``pyproject.toml`` installs ``greenlang`` alone.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

from greenlang.settings import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "greenlang"
DEV_TOOLS = ("simulators", "demo", "bench", "tests")
FRAMEWORK = ("greenlang.core", "greenlang.settings")
DOMAINS = ("cbam", "ghg", "erp", "esrs", "alerts", "observe", "warehouse")


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def module_of(path: Path) -> str:
    return ".".join(path.relative_to(PROJECT_ROOT).with_suffix("").parts)


SOURCES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=module_of)
def test_deployed_code_imports_no_development_tool(path: Path) -> None:
    tools = {module for module in imported_modules(path) if module.split(".")[0] in DEV_TOOLS}
    assert not tools, f"{module_of(path)} imports development tools {sorted(tools)}"


@pytest.mark.parametrize("path", SOURCES, ids=module_of)
def test_layers_import_downwards_only(path: Path) -> None:
    module = module_of(path)
    ours = {name for name in imported_modules(path) if name.startswith("greenlang")}
    if module.startswith("greenlang.core"):
        allowed = FRAMEWORK
    elif module.startswith("greenlang.ingest"):
        allowed = (*FRAMEWORK, "greenlang.ingest")
    elif module.startswith("greenlang.looker"):
        allowed = (*FRAMEWORK, "greenlang.warehouse.manifest", "greenlang.looker")
    elif module.split(".")[1] in DOMAINS:
        allowed = (*FRAMEWORK, "greenlang.ingest", "greenlang.catalog", f"greenlang.{module.split('.')[1]}")
        if module.startswith("greenlang.observe"):
            allowed = (*allowed, "greenlang.warehouse.manifest")
    else:  # catalog, codegen, definitions: they assemble the domains
        return
    strays = {name for name in ours if not name.startswith(allowed)}
    assert not strays, f"{module} imports {sorted(strays)} (allowed: {allowed})"


def test_only_the_deployed_package_is_installed() -> None:
    config = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert config["tool"]["setuptools"]["packages"]["find"]["include"] == ["greenlang*"]
    assert "py-modules" not in config["tool"]["setuptools"]
