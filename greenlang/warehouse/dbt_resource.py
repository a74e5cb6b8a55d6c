"""The dbt project and CLI resource, pointed at the warehouse the settings select."""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from greenlang.settings import DBT_PROJECT_DIR, Settings


@cache
def dbt_project(target: str) -> DbtProject:
    project = DbtProject(
        project_dir=DBT_PROJECT_DIR,
        profiles_dir=DBT_PROJECT_DIR,
        target=target,
        # Compiled SQL differs per adapter (dispatch), so each target keeps its own artifacts.
        target_path=f"target/{target}",
    )
    # Under `dagster dev` the manifest is rebuilt on load; `make manifest` builds it otherwise.
    project.prepare_if_dev()
    return project


def dbt_resource(settings: Settings) -> DbtCliResource:
    # dbt runs as a subprocess and reads its connection details from the environment: hand it the
    # same resolved values the Python loaders use, so both sides always see one warehouse.
    os.environ.update(settings.dbt_env())
    return DbtCliResource(
        project_dir=dbt_project(settings.target),
        target=settings.target,
        # The dbt installed beside this interpreter, whether or not the virtualenv is on PATH.
        dbt_executable=str(Path(sys.executable).parent / "dbt"),
    )
