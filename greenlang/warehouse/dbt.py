"""The dbt project as Dagster assets, pointed at the warehouse the settings select: the project and CLI
resource, the translator (groups by domain, the layer as a tag, one SLA per layer, every model and seed
rebuilt by declarative automation after what it depends on changes), and the one multi-asset that runs
``dbt build`` (tests surface as asset checks)."""

import datetime as dt
import json
import os
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from greenlang.catalog import CONTRACTS, RAW_SOURCES
from greenlang.core.automation import REBUILD_AFTER_UPSTREAM_CHANGES
from greenlang.core.domains import REFERENCE, layer_tags, model_domain
from greenlang.core.freshness import FRESHNESS
from greenlang.core.lineage import LineageResource, WarehouseNaming, dbt_events
from greenlang.core.loader import prepare_raw_tables
from greenlang.core.warehouse import WAREHOUSE_POOL, Session, Warehouse, WarehouseResource
from greenlang.settings import DBT_PROJECT_DIR, Settings
from greenlang.warehouse import publish
from greenlang.warehouse.manifest import dbt_executable, manifest_is_current, parse_inputs, target_path


@cache
def dbt_project(target: str) -> DbtProject:
    project = DbtProject(
        project_dir=DBT_PROJECT_DIR,
        profiles_dir=DBT_PROJECT_DIR,
        target=target,
        target_path=target_path(target),
    )
    # Under `dagster dev`, dagster-dbt would parse the project on every load of the code location (half
    # a minute on two cores): parse only when a project file changed after the manifest was written.
    if not manifest_is_current(project.manifest_path, parse_inputs(DBT_PROJECT_DIR)):
        project.prepare_if_dev()
    return project


def dbt_resource(settings: Settings) -> DbtCliResource:
    # dbt runs as a subprocess and reads its connection details from the environment: hand it the
    # same resolved values the Python loaders use, so both sides always see one warehouse.
    os.environ.update(settings.dbt_env())
    return DbtCliResource(
        project_dir=dbt_project(settings.target),
        target=settings.target,
        dbt_executable=str(dbt_executable()),
    )


MODEL_LAYERS = ("staging", "intermediate", "marts", "reporting")


class WarehouseDbtTranslator(DagsterDbtTranslator):
    """Groups models by domain with their layer as a tag (``greenlang.core.domains``), states every model's
    SLA, and rebuilds what dbt builds after its upstream changes (``greenlang.core.automation``). A seed has
    no upstream asset: it is rebuilt when its CSV changes (its code version is the file's checksum), not on
    a clock, since nothing else changes it."""

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        node = manifest["nodes"].get(unique_id) or manifest["sources"].get(unique_id) or {}
        folders = node.get("fqn", [])[1:-1]  # models/<layer>/<folder>/…, without the project and the name
        if node.get("resource_type") == "seed":
            layer, domain = REFERENCE, REFERENCE
        elif folders and folders[0] in MODEL_LAYERS:
            layer, domain = folders[0], model_domain(folders[0], folders[1:])
        else:
            return spec
        return spec.replace_attributes(
            group_name=domain,
            tags={**spec.tags, **layer_tags(layer)},
            freshness_policy=FRESHNESS["seeds" if layer == REFERENCE else "models"],
            automation_condition=REBUILD_AFTER_UPSTREAM_CHANGES,
        )

    def get_asset_check_spec(
        self, asset_spec: dg.AssetSpec, manifest: Mapping[str, Any], unique_id: str, project
    ) -> dg.AssetCheckSpec | None:
        """A dbt test's check says what it tests: its YAML description, else one written from the test."""
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None or spec.description:
            return spec
        node = manifest["nodes"].get(unique_id) or manifest.get("unit_tests", {}).get(unique_id) or {}
        return spec._replace(description=describe_test(node))


def describe_test(node: Mapping[str, Any]) -> str:
    """``not_null`` on ``cn_code`` → "cn_code is never null"; a singular test → its name in words."""
    if node.get("resource_type") == "unit_test":
        return f"Unit test: {node['name'].replace('_', ' ')}, on fixed inputs with expected rows"
    metadata = node.get("test_metadata") or {}
    kwargs = metadata.get("kwargs") or {}
    column = kwargs.get("column_name") or node.get("column_name") or "the row"
    if metadata.get("name") == "not_null":
        return f"{column} is never null"
    if metadata.get("name") == "unique":
        return f"{column} is unique"
    if metadata.get("name") == "accepted_values":
        return f"{column} is one of {', '.join(map(str, kwargs.get('values', [])))}"
    if metadata.get("name") == "relationships":
        target = str(kwargs.get("to", "")).removeprefix("ref('").removeprefix("source(").rstrip("')")
        return f"every {column} exists as {kwargs.get('field')} in {target}"
    if metadata.get("name"):
        return f"{metadata['name'].replace('_', ' ')} on {column}"
    return f"Singular test: {node.get('name', 'dbt test').removeprefix('assert_').replace('_', ' ')}"


def warehouse_translator() -> WarehouseDbtTranslator:
    return WarehouseDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


# The tool of every dbt exposure: its dashboards are Looker content (looker/, make lookml).
EXPOSURE_KIND = "looker"


def exposure_specs(target: str) -> list[dg.AssetSpec]:
    """The dbt exposures (the Looker dashboards) as assets downstream of the models they read, keyed
    ``looker/<name>``. dagster-dbt makes no asset of an exposure, and Dagster never materializes a
    dashboard: these are external assets, there so that the graph shows which dashboards a model reaches."""
    project = dbt_project(target)
    manifest = json.loads(project.manifest_path.read_text())
    translator = warehouse_translator()
    return [
        dg.AssetSpec(
            key=dg.AssetKey([EXPOSURE_KIND, exposure["name"]]),
            deps=[
                translator.get_asset_spec(manifest, node_id, project).key
                for node_id in sorted(exposure["depends_on"]["nodes"])
            ],
            description=f"{exposure['label']} ({exposure['type']}): {' '.join(exposure['description'].split())}",
            group_name="reporting",
            tags=layer_tags("reporting"),
            kinds={EXPOSURE_KIND},
            metadata={"dbt_unique_id": unique_id, "owner": exposure["owner"]["name"]},
        )
        for unique_id, exposure in sorted(manifest["exposures"].items())
    ]


def mart_keys(target: str) -> list[dg.AssetKey]:
    """The asset keys of the marts (models of models/marts), whose column schemas are checked for change."""
    project = dbt_project(target)
    manifest = json.loads(project.manifest_path.read_text())
    translator = warehouse_translator()
    return [
        translator.get_asset_spec(manifest, unique_id, project).key
        for unique_id, node in sorted(manifest["nodes"].items())
        if node["resource_type"] == "model" and node["fqn"][1:2] == ["marts"]
    ]


def build_dbt_assets(target: str) -> dg.AssetsDefinition:
    project = dbt_project(target)
    translator = warehouse_translator()

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=translator,
        pool=WAREHOUSE_POOL,
    )
    def warehouse_dbt_models(
        context: dg.AssetExecutionContext,
        dbt: DbtCliResource,
        warehouse: WarehouseResource,
        lineage: LineageResource,
    ):
        store = warehouse.get_warehouse()
        prepare_raw_tables(store, list(RAW_SOURCES), CONTRACTS.values())
        yield from build_and_publish(context, dbt, store, project, translator, lineage)

    return warehouse_dbt_models


def published_column_schemas(
    session: Session, relations: list[publish.Relation]
) -> dict[str, dg.TableSchema]:
    """The columns of the published tables and views of ``relations`` as the warehouse has them (names and
    types), by unique id: the materialization's ``dagster/column_schema``, which Dagster's column-schema
    change checks compare between runs. (PostgreSQL's information_schema omits materialized views: the
    reports get none, and are not checked.)"""
    if not relations:
        return {}
    by_name = {(relation.schema, relation.name): relation.unique_id for relation in relations}
    schemas = sorted({relation.schema for relation in relations})
    found: dict[str, list[dg.TableColumn]] = {}
    for schema, table, column, data_type in session.fetchall(
        "SELECT table_schema, table_name, column_name, data_type FROM information_schema.columns "
        f"WHERE table_schema IN ({', '.join(f'%(schema_{index})s' for index in range(len(schemas)))}) "
        "ORDER BY table_schema, table_name, ordinal_position",
        {f"schema_{index}": schema for index, schema in enumerate(schemas)},
    ):
        if (schema, table) in by_name:
            found.setdefault(by_name[schema, table], []).append(dg.TableColumn(column, data_type.lower()))
    return {unique_id: dg.TableSchema(columns=columns) for unique_id, columns in found.items()}


def build_and_publish(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    store: Warehouse,
    project: DbtProject,
    translator: DagsterDbtTranslator,
    lineage: LineageResource,
) -> Iterator[Any]:
    """``dbt build`` of the selected models by write–audit–publish (``greenlang.warehouse.publish``): the
    run's events once its relations are published, a materialization only for what was published, and the
    invocation's OpenLineage events (``greenlang.core.lineage``); the step fails, naming what was held back,
    when anything failed."""
    manifest = json.loads(project.manifest_path.read_text())
    known = publish.relations(manifest)
    selected = context.selected_asset_keys
    carried = [
        relation
        for unique_id, relation in known.items()
        if relation.incremental and translator.get_asset_spec(manifest, unique_id, project).key in selected
    ]
    schemas = {relation.schema for relation in known.values()}
    with publish.one_build_at_a_time(store), tempfile.TemporaryDirectory() as state:
        with store.session() as session:
            publish.publisher(session).prepare(schemas, carried)
            database = session.scalar("SELECT current_database()")
        published_state = publish.write_published_state(manifest, database, Path(state))
        started_at = dt.datetime.now(dt.UTC)
        invocation = dbt.cli(
            publish.build_args("build", published_state), context=context, raise_on_error=False
        )
        events = list(invocation.stream())
        try:
            run_results = invocation.get_artifact("run_results.json")
        except FileNotFoundError:  # dbt died before it wrote its results: nothing is published
            run_results = {"results": []}
        published = publish.publishable(manifest, run_results)
        started = time.monotonic()
        with store.session() as session:
            publish.publisher(session).publish([known[unique_id] for unique_id in published], schemas)
            columns = published_column_schemas(session, [known[unique_id] for unique_id in published])
        context.log.info(f"published {len(published)} relations in {time.monotonic() - started:.1f} s")
    lineage_events = dbt_events(
        manifest,
        [result["unique_id"] for result in run_results["results"]],
        published,
        WarehouseNaming.of(store.settings, database),
        lineage.namespace,
        run_id=str(uuid.uuid4()),
        started_at=started_at,
        finished_at=dt.datetime.now(dt.UTC),
        succeeded=invocation.is_successful(),
        parent=(context.run.job_name, context.run_id),
    )
    try:
        lineage.emit(lineage_events)
    except OSError as error:  # a collector down, a full disk: what is published stays published
        context.log.warning(f"the lineage of this dbt build was not sent ({type(error).__name__})")
    for event in events:
        if not isinstance(event, dg.Output):
            yield event
        elif (unique_id := event.metadata["unique_id"].value) in published:
            schema = columns.get(unique_id)
            yield (
                event.with_metadata({**event.metadata, "dagster/column_schema": schema}) if schema else event
            )
    if not invocation.is_successful():
        held_back = sorted(
            known[result["unique_id"]].name
            for result in run_results["results"]
            if result["unique_id"] in known and result["unique_id"] not in published
        )
        raise dg.Failure(
            description=(
                f"dbt build failed; not published (readers keep the previous version): "
                f"{', '.join(held_back) or 'nothing was built'}. What was built stays in the "
                f"*{publish.BUILD_SCHEMA_SUFFIX} schemas until the next build."
            ),
        )
