"""The dbt project as Dagster assets; dbt tests surface as asset checks."""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from greenlang.catalog import RAW_SOURCES
from greenlang.core.freshness import FRESHNESS
from greenlang.core.loader import prepare_raw_tables
from greenlang.core.warehouse import WarehouseResource
from greenlang.warehouse.dbt_resource import dbt_project

LAYERS = ("staging", "intermediate", "marts", "reporting")


class WarehouseDbtTranslator(DagsterDbtTranslator):
    """Groups models by layer and states every model's SLA."""

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        node = manifest["nodes"].get(unique_id) or manifest["sources"].get(unique_id) or {}
        folders = node.get("fqn", [])[1:-1]
        layer = next((folder for folder in folders if folder in LAYERS), None)
        if node.get("resource_type") == "seed":
            layer = "reference"
        if layer is None:
            return spec
        freshness = FRESHNESS["seeds" if layer == "reference" else "models"]
        return spec.replace_attributes(group_name=layer, freshness_policy=freshness)


def build_dbt_assets(target: str) -> dg.AssetsDefinition:
    project = dbt_project(target)

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=WarehouseDbtTranslator(
            settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)
        ),
        pool="warehouse_writes",
    )
    def warehouse_dbt_models(
        context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
    ):
        prepare_raw_tables(warehouse.get_warehouse(), list(RAW_SOURCES))
        yield from dbt.cli(["build"], context=context).stream()

    return warehouse_dbt_models
