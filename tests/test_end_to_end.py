"""Materialize the whole warehouse from demo files, on DuckDB and on PostgreSQL, and again; what it reports
equals the committed digest of the demo's marts on both engines (tests/snapshots/demo_marts.json: a model
change that moves a reported figure shows in its diff; regenerate on purpose with UPDATE_SNAPSHOTS=1). On
PostgreSQL, after those builds, login roles of each tenant read only their tenants' rows."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

import dagster as dg
import psycopg
import pytest

from demo.erp import TENANT_BY_SYSTEM, running_erps
from demo.generate import write_demo_landing
from demo.ghg import write_ghg_demo_landing
from demo.run import load_partitioned_sources
from greenlang.catalog import RAW_SOURCES
from greenlang.cbam.report_out import quarter_import_lines, write_quarter_reports
from greenlang.cbam.report_xml import CbamReportConfig
from greenlang.core.lineage import LineageResource
from greenlang.core.personal_data import KeyStore, erase_tenant_personal_data, reveal
from greenlang.core.row_conservation import row_conservation_violations
from greenlang.core.warehouse import Warehouse, WarehouseResource
from greenlang.erp.sources import ERP_SOURCES
from greenlang.looker.lookml import LOOKER_DIR, TENANT_ATTRIBUTE
from greenlang.observe.lineage import load_lineage
from greenlang.settings import LineageSettings, Settings
from greenlang.warehouse.manifest import manifest_path
from tests.helpers.cbam import CONFIG, NS, SUBMITTED
from tests.helpers.comments import DOCUMENTED_SCHEMAS, comment_coverage
from tests.helpers.lookml_sql import run_every_field
from tests.helpers.marts_digest import marts_digest
from tests.helpers.readers import (
    READER_ROLE,
    connect_as,
    read_everything,
    reader_roles,
    rows_a_reader_should_read,
    tenants_readers_may_select,
    unguarded,
)
from tests.helpers.warehouses import make_settings, postgres_database, require_shared_data
from tests.observe.test_lineage import assert_valid

pytestmark = pytest.mark.e2e
MODELS = ("marts", "reporting", "intermediate", "staging")
MARTS_SNAPSHOT = Path(__file__).parent / "snapshots" / "demo_marts.json"


def assert_marts_match_the_snapshot(digest: dict) -> None:
    if os.environ.get("UPDATE_SNAPSHOTS"):
        MARTS_SNAPSHOT.write_text(json.dumps(digest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    expected = json.loads(MARTS_SNAPSHOT.read_text(encoding="utf-8"))
    changed = sorted(
        name for name in expected.keys() | digest.keys() if expected.get(name) != digest.get(name)
    )
    assert changed == [], f"the demo's marts differ from {MARTS_SNAPSHOT.name} in {changed}"


def build(settings, instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    """The daily-partitioned sources' days first (as their sensor or a backfill loads them), then the rest."""
    from greenlang.definitions import build_definitions

    defs = build_definitions(settings)
    days = load_partitioned_sources(defs, instance, settings.landing_dir, {})
    assert days and all(run.success for run in days)
    job = defs.resolve_job_def("build_warehouse")
    return job.execute_in_process(instance=instance, raise_on_error=False)


# The ERP sync ledger gains a row per sync, by design: a rebuild syncs again (and reads nothing new); so
# does its staging view.
SYNC_LEDGER = {("raw", "erp_sync"), ("staging", "stg_ledger__erp_syncs")}


def contents(warehouse: Warehouse) -> dict[str, list[tuple]]:
    """Every relation the build made, rows sorted, ingestion timestamps left out."""
    tables = {}
    with warehouse.session() as session:
        for schema, name, _kind in session.relations(("raw", *MODELS)):
            if (schema, name) in SYNC_LEDGER:
                continue
            rows = session.fetch_dicts(f'SELECT * FROM "{schema}"."{name}"')
            tables[f"{schema}.{name}"] = sorted(
                tuple(str(value) for column, value in row.items() if not column.endswith("_at"))
                for row in rows
            )
    return tables


@dataclass(frozen=True)
class FirstBuild:
    settings: Settings
    instance: dg.DagsterInstance
    result: dg.ExecuteInProcessResult
    contents: dict[str, list[tuple]]
    marts: dict


@pytest.fixture(scope="class")
def first_build(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """One build per engine (the longest step of the suite), shared by the tests of its class, which run
    in order on one xdist worker (``--dist loadscope``): the first rebuilds and compares, the second then
    adds a file."""
    engine = request.cls.engine
    folder = tmp_path_factory.mktemp(f"e2e-{engine}")
    with ExitStack() as stack:
        postgres = stack.enter_context(postgres_database()) if engine == "postgres" else None
        # each demo ERP system reaches its tenant, as GREENLANG_ERP_TENANTS says in `make demo`
        settings = replace(
            make_settings(engine, folder, postgres),
            erp_tenants=TENANT_BY_SYSTEM,
            lineage=LineageSettings(file=folder / "lineage.jsonl"),  # the dbt step's OpenLineage events
        )
        write_demo_landing(settings.landing_dir)
        write_ghg_demo_landing(settings.landing_dir)
        stack.enter_context(
            running_erps(
                purchase_orders=200, oracle_purchase_orders=80, oracle_invoices=100, expense_items=150
            )
        )
        instance = stack.enter_context(dg.DagsterInstance.ephemeral())
        result = build(settings, instance)
        warehouse = Warehouse(settings)
        yield FirstBuild(settings, instance, result, contents(warehouse), marts_digest(warehouse))


def failed_checks(result: dg.ExecuteInProcessResult) -> list[str]:
    return [
        f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
        for evaluation in result.get_asset_check_evaluations()
        if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR
    ]


class EndToEnd:
    engine: str

    def test_the_whole_warehouse_builds_and_rebuilds_identically(self, first_build: FirstBuild) -> None:
        e2e_settings, instance = first_build.settings, first_build.instance
        warehouse = Warehouse(e2e_settings)
        assert first_build.result.success, first_build.result.all_events
        assert failed_checks(first_build.result) == []
        built = first_build.contents
        assert built["marts.fct_cbam_imports"], "no fact rows"
        assert built["reporting.rpt_cbam_emissions_by_period"], "no report rows"
        # the ERPs synced from the simulator reach the purchase marts and the CBAM reconciliation
        assert built["marts.fct_purchase_lines"] and built["reporting.rpt_cbam_purchase_vs_import"]
        assert_marts_match_the_snapshot(first_build.marts)

        with warehouse.session() as session:
            kinds = {name: kind for _schema, name, kind in session.relations(("reporting",))}
            # one config, `materialized_view`: a real materialized view on Postgres, a table on DuckDB
            expected = "materialized view" if e2e_settings.target == "postgres" else "table"
            assert {kinds[name] for name in kinds if name.startswith("rpt_")} == {expected}
            for spec in RAW_SOURCES:
                assert row_conservation_violations(session, spec.name) == []
            read, loaded, rejected = session.fetchall(
                "SELECT sum(rows_read), sum(rows_loaded), sum(rows_rejected) FROM raw.load_batch WHERE status = 'succeeded'"
            )[0]
            assert read == loaded + rejected and rejected > 0
            assert session.scalar("SELECT count(*) FROM raw.dead_letter") == rejected
            shipments = session.scalar("SELECT count(*) FROM raw.customs__cbam_shipments")
            facts = session.scalar("SELECT count(*) FROM marts.fct_cbam_imports")
            assert 0 < facts <= shipments
            # every demo meter-day reached the day-grain fact, which is indexed by day for day-filtered reads
            meter_days = session.scalar(
                "SELECT count(DISTINCT meter_id || CAST(CAST(interval_start AS DATE) AS VARCHAR)) "
                "FROM raw.meters__interval_readings"
            )
            assert session.scalar("SELECT count(*) FROM marts.fct_energy_consumption") == meter_days
            index_sql = (
                "SELECT indexdef FROM pg_indexes WHERE tablename = 'fct_energy_consumption'"
                if e2e_settings.target == "postgres"
                else "SELECT sql FROM duckdb_indexes() WHERE table_name = 'fct_energy_consumption'"
            )
            assert any("consumption_date" in row[0] for row in session.fetchall(index_sql))

        second = build(e2e_settings, instance)
        assert second.success
        assert contents(warehouse) == built
        with warehouse.session() as session:
            # each incremental entity's second sync started from the watermark of its first and loaded nothing
            resumed = session.fetchall(
                "SELECT source, count(*), max(rows_loaded) FROM raw.erp_sync WHERE previous_watermark IS NOT NULL "
                "GROUP BY source ORDER BY source"
            )
        assert resumed == [
            (spec.name, 1, 0) for spec in sorted(ERP_SOURCES, key=lambda spec: spec.name) if spec.incremental
        ]

    def test_the_demo_s_cbam_quarterly_reports_validate_and_add_up(
        self, first_build: FirstBuild, tmp_path: Path
    ) -> None:
        """Every quarter of the demo's imports as QReport XML, each file valid against the Commission's XSD
        (write_quarter_reports validates before it writes), its total the sum of its goods and the marts' own
        sum within the rounding of the goods' totals to 7 places."""
        schema_dir = require_shared_data() / "cbam"
        warehouse = Warehouse(first_build.settings)
        with warehouse.session() as session:
            eoris = [
                eori
                for (eori,) in session.fetchall("SELECT DISTINCT declarant_eori FROM marts.dim_declarant")
            ]
            installations = [
                name for (name,) in session.fetchall("SELECT installation_id FROM marts.dim_installation")
            ]
            chapters = {
                cn[:2] for (cn,) in session.fetchall("SELECT DISTINCT cn_code FROM marts.fct_cbam_imports")
            }
            quarters = session.fetchall(
                "SELECT DISTINCT import_year, import_quarter FROM marts.fct_cbam_imports ORDER BY 1, 2"
            )
            expected = {
                (tenant, year, f"cbam_qreport_{eori}_Q{quarter}.xml"): total
                for tenant, eori, year, quarter, total in session.fetchall(
                    "SELECT tenant_id, declarant_eori, import_year, import_quarter, "
                    "sum(embedded_direct) + sum(coalesce(embedded_indirect, 0)) FROM marts.fct_cbam_imports "
                    "WHERE is_cbam_good AND emission_method IN ('actual', 'default') GROUP BY 1, 2, 3, 4"
                )
            }
        # the demo's declarants, installations and goods, with made-up details (tests/cbam/report_config.json)
        declarant = next(iter(CONFIG.declarants.values()))
        config = CbamReportConfig.model_validate(
            {
                **CONFIG.model_dump(),
                "declarants": dict.fromkeys(eoris, declarant.model_dump()),
                "installations": {  # the demo's ids are "<registry id> <name>"
                    installation: {"registry_id": installation.split()[0], "name": installation}
                    for installation in installations
                },
                "production_methods": dict.fromkeys(
                    chapters, next(iter(CONFIG.production_methods.values())).model_dump()
                ),
            }
        )
        written = {}
        with warehouse.session() as session:
            for year, quarter in quarters:
                start = dt.date(year, 3 * quarter - 2, 1)
                lines = quarter_import_lines(
                    session, start, dt.date(year + quarter // 4, 3 * quarter % 12 + 1, 1)
                )
                files, _left_out = write_quarter_reports(lines, config, schema_dir, tmp_path, SUBMITTED)
                written.update(files)
        assert len(written) == len(expected) > 0
        for (tenant, year, name), total in expected.items():
            root = ET.parse(tmp_path / tenant / str(year) / name).getroot()
            reported = Decimal(root.findtext("q:TotalEmissions", namespaces=NS))
            goods = root.findall("q:ImportedGood/q:TotalEmissions/q:OverallEmissions", NS)
            # the file adds up exactly: its total is the sum of its goods' overall emissions as written
            assert reported == sum(Decimal(good.text) for good in goods), name
            # and each good's direct and indirect totals are rounded once to 7 places: the report total is
            # the marts' exact sum within half a unit of the 7th place per rounded figure
            assert abs(reported - total) <= len(goods) * 2 * Decimal("0.00000005"), name
        print(f"\nCBAM quarterly reports of the demo: {len(written)} files, all valid against QReport 17.03")

    def test_the_build_exports_valid_lineage_of_its_dbt_step_and_of_every_load(
        self, first_build: FirstBuild, tmp_path: Path
    ) -> None:
        settings = first_build.settings
        dbt_runs = [json.loads(line) for line in settings.lineage.file.read_text().splitlines()]
        for event in dbt_runs:
            assert_valid(event)
        start, end = dbt_runs[:2]  # the first build's dbt step
        assert (start["eventType"], end["eventType"]) == ("START", "COMPLETE")
        assert start["run"]["runId"] == end["run"]["runId"]
        assert end["run"]["facets"]["parent"]["job"]["name"] == "build_warehouse"
        outputs = {dataset["name"].split(".", 1)[1] for dataset in end["outputs"]}
        inputs = {dataset["name"].split(".", 1)[1] for dataset in end["inputs"]}
        assert {"marts.fct_cbam_imports", "reporting.rpt_cbam_emissions_by_period"} <= outputs
        assert "raw.customs__cbam_shipments" in inputs and not inputs & outputs

        loads = tmp_path / "loads.jsonl"
        lineage = LineageResource(file=str(loads))
        resources = {"warehouse": WarehouseResource.from_settings(settings), "lineage": lineage}
        context = dg.build_sensor_context(resources=resources)
        while not load_lineage(context).skip_message.startswith("every recorded load"):
            context = dg.build_sensor_context(cursor=context.cursor, resources=resources)
        events = [json.loads(line) for line in loads.read_text().splitlines()]
        for event in events:
            assert_valid(event)
        with Warehouse(settings).session() as session:
            batches = session.scalar("SELECT count(*) FROM raw.load_batch")
        assert len(events) == 2 * batches
        print(
            f"\nlineage of the demo: {len(events)} load events for {batches} batches, {len(dbt_runs)} dbt events"
        )

    def test_a_new_file_reaches_the_fact_table_incrementally(self, first_build: FirstBuild) -> None:
        """As the running deployment does it: after the build, neither the landing sensor (no cursor) nor
        automation asks for anything; a new file is loaded by the run the sensor requests, then automation
        requests the models that depend on it, and only those."""
        from greenlang.definitions import build_definitions

        e2e_settings, instance = first_build.settings, first_build.instance
        warehouse = Warehouse(e2e_settings)
        assert first_build.result.success
        with warehouse.session() as session:
            before = session.scalar("SELECT count(*) FROM marts.fct_cbam_imports")
        defs = build_definitions(e2e_settings)
        landing_sensor = defs.resolve_sensor_def("landing_files")
        resources = {"warehouse": WarehouseResource.from_settings(e2e_settings)}
        loaded = landing_sensor(dg.build_sensor_context(instance=instance, resources=resources))
        assert loaded.run_requests == []
        automation_start = dg.evaluate_automation_conditions(defs, instance)
        assert automation_start.total_requested == 0

        from demo.generate import generate_shipments

        late = e2e_settings.landing_dir / "acme-steel" / "customs__cbam_shipments" / "late.csv"
        generate_shipments(late, 50, seed=99, tenant="acme-steel", fmt="csv", bad_share=0)
        (request,) = landing_sensor(
            dg.build_sensor_context(instance=instance, cursor=loaded.cursor, resources=resources)
        ).run_requests
        load = defs.resolve_job_def(request.job_name).execute_in_process(
            instance=instance, run_config=request.run_config, tags=request.tags
        )
        assert load.success
        automation = dg.evaluate_automation_conditions(defs, instance, cursor=automation_start.cursor)
        requested = [
            key
            for key in defs.resolve_asset_graph().get_all_asset_keys()
            if automation.get_num_requested(key)
        ]
        assert dg.AssetKey(["marts", "fct_cbam_imports"]) in requested
        assert dg.AssetKey(["marts", "fct_energy_consumption"]) not in requested
        rebuild = defs.resolve_job_def("build_warehouse").execute_in_process(
            instance=instance, asset_selection=requested
        )
        assert rebuild.success
        with warehouse.session() as session:
            after = session.scalar("SELECT count(*) FROM marts.fct_cbam_imports")
            lines = session.scalar(
                "SELECT count(*) FROM raw.customs__cbam_shipments WHERE _source_uri LIKE '%late.csv'"
            )
        assert lines == 50
        assert after == before + 50

    def test_a_failed_test_holds_back_only_what_reads_the_failure(self, first_build: FirstBuild) -> None:
        """A default value of a country the country_codes seed does not know fails the not_null test of
        stg_cbam__default_values: it and what reads it stay as published; an unrelated model selected in
        the same run is published; the step fails naming what it held back."""
        settings, instance = first_build.settings, first_build.instance
        warehouse = Warehouse(settings)
        atlantis = (
            "SELECT count(*) FROM {schema}.stg_cbam__default_values WHERE country_name_published = 'Atlantis'"
        )
        with warehouse.session() as session:
            columns = [name for (name,) in session.fetchall(RAW_COLUMNS, {"table": "cbam__default_values"})]
            chosen = ", ".join("'Atlantis'" if name == "country" else f'"{name}"' for name in columns)
            session.execute(
                f"INSERT INTO raw.cbam__default_values SELECT {chosen} FROM raw.cbam__default_values LIMIT 1"
            )
        try:
            before = published(warehouse)
            defs = build_definitions(settings)
            failing = dg.AssetKey(["staging", "stg_cbam__default_values"])
            unrelated = dg.AssetKey(["staging", "stg_hr__headcount"])
            selection = [*dbt_assets_downstream_of(defs, failing), unrelated]
            result = defs.resolve_job_def("build_warehouse").execute_in_process(
                instance=instance, asset_selection=selection, raise_on_error=False
            )
            assert not result.success
            (failure,) = [event for event in result.all_events if event.is_step_failure]
            assert "stg_cbam__default_values" in failure.event_specific_data.error.message
            materialized = {event.asset_key for event in result.get_asset_materialization_events()}
            assert unrelated in materialized and failing not in materialized
            assert not materialized & set(dbt_assets_downstream_of(defs, failing))
            assert published(warehouse) == before
            with warehouse.session() as session:
                # held back where it was built, for inspection
                assert session.scalar(atlantis.format(schema="staging__build")) == 1
        finally:
            with warehouse.session() as session:
                session.execute("DELETE FROM raw.cbam__default_values WHERE country = 'Atlantis'")

    def test_a_killed_build_changes_nothing_readers_see(self, first_build: FirstBuild) -> None:
        """dbt killed (SIGKILL) while it writes the build schemas: every published relation is as it was;
        the next build publishes, and what read a rebuilt view still reads it (PostgreSQL recreates them)."""
        settings, instance = first_build.settings, first_build.instance
        warehouse = Warehouse(settings)
        before = published(warehouse)
        defs = build_definitions(settings)
        cbam_models = dbt_assets_downstream_of(defs, dg.AssetKey(["staging", "stg_customs__cbam_shipments"]))
        job = defs.resolve_job_def("build_warehouse")
        # Dagster executes in the main thread (it installs signal handlers); the killer watches beside it
        with ThreadPoolExecutor(1) as pool:
            killer = pool.submit(kill_dbt_once_it_has_built, relations=3)
            result = job.execute_in_process(
                instance=instance, asset_selection=cbam_models, raise_on_error=False
            )
            assert killer.result(), "dbt finished before it could be killed"
        assert not result.success
        assert published(warehouse) == before
        rebuild = job.execute_in_process(
            instance=instance, asset_selection=[dg.AssetKey(["staging", "stg_customs__cbam_shipments"])]
        )
        assert rebuild.success
        assert published(warehouse) == before
        with warehouse.session() as session:
            assert session.relations([schema + "__build" for schema in MODELS]) == []

    def test_erasing_a_tenants_personal_data_changes_no_figure(self, first_build: FirstBuild) -> None:
        """Crypto-shredding (docs/design.md, "Personal data"): a tenant's travellers can no longer be
        re-identified, and the GHG inventory rebuilt from raw afterwards is the same to the last digit."""
        settings, instance = first_build.settings, first_build.instance
        warehouse, store = Warehouse(settings), KeyStore(settings.key_store)
        emissions = "marts.fct_ghg_emissions"
        before = marts_digest(warehouse)[emissions]
        with warehouse.session() as session:
            pseudonym = session.scalar(
                "SELECT min(employee_id) FROM raw.travel__business_travel WHERE tenant_id = 'acme-steel'"
            )
            assert pseudonym.startswith("p_") and reveal(session, store, "acme-steel", pseudonym)
            erased = erase_tenant_personal_data(session, store, "acme-steel")
            assert erased["key_shredded"] and erased["originals_deleted"] > 0
            assert reveal(session, store, "acme-steel", pseudonym) is None
        rebuild = (
            build_definitions(settings)
            .resolve_job_def("build_warehouse")
            .execute_in_process(
                instance=instance, asset_selection=[dg.AssetKey(["marts", "fct_ghg_emissions"])]
            )
        )
        assert rebuild.success
        assert before["rows"] > 0 and marts_digest(warehouse)[emissions] == before


RAW_COLUMNS = (
    "SELECT column_name FROM information_schema.columns WHERE table_schema = 'raw' AND table_name = %(table)s "
    "ORDER BY ordinal_position"
)


def build_definitions(settings: Settings) -> dg.Definitions:
    from greenlang.definitions import build_definitions as definitions

    return definitions(settings)


def dbt_assets_downstream_of(defs: dg.Definitions, key: dg.AssetKey) -> list[dg.AssetKey]:
    """The dbt models (their keys start with a model layer) at or below ``key``."""
    graph = defs.resolve_asset_graph()
    below = dg.AssetSelection.assets(key).downstream().resolve(graph)
    return sorted((found for found in below if found.path[0] in MODELS), key=str)


def published(warehouse: Warehouse) -> dict[str, list[tuple]]:
    return {name: rows for name, rows in contents(warehouse).items() if not name.startswith("raw.")}


def kill_dbt_once_it_has_built(relations: int, timeout: float = 300) -> bool:
    """SIGKILL this process's dbt build once its log has reported ``relations`` relations built."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for pid, log in running_dbt_builds():
            if log.exists() and log.read_text(errors="replace").count("OK created") >= relations:
                os.kill(pid, signal.SIGKILL)
                return True
        time.sleep(0.2)
    return False


def running_dbt_builds() -> list[tuple[int, Path]]:
    """(pid, dbt.log) of each write–audit–publish dbt build this process started."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            arguments = (stat.parent / "cmdline").read_bytes().split(b"\0")
            environment = (stat.parent / "environ").read_bytes().split(b"\0")
            working_directory = Path(os.readlink(stat.parent / "cwd"))
        except (OSError, IndexError, ValueError):  # a process that ended while it was read
            continue
        if parent == os.getpid() and b"build_schema_suffix" in b" ".join(arguments):
            variables = dict(item.decode().split("=", 1) for item in environment if b"=" in item)
            # a relative log path is relative to dbt's working directory (the project)
            log = working_directory / variables["DBT_LOG_PATH"] / "dbt.log"
            found.append((int(stat.parent.name), log))
    return found


class TestOnDuckDB(EndToEnd):
    engine = "duckdb"


@pytest.mark.postgres
class TestOnPostgres(EndToEnd):
    """The inherited tests run first (two full builds, then an incremental one): the readers' tests read
    what the builds left, so they also show that rebuilding keeps the isolation."""

    engine = "postgres"

    def test_every_relation_readers_may_select_is_guarded(self, first_build: FirstBuild) -> None:
        with psycopg.connect(first_build.settings.postgres.conninfo()) as admin:
            assert unguarded(admin, READER_ROLE, "marts") == []
            # a new mart with tenant_id and no policy is found (created and rolled back here)
            admin.execute("CREATE TABLE marts.fct_unguarded (tenant_id text)")
            admin.execute(f"GRANT SELECT ON marts.fct_unguarded TO {READER_ROLE}")
            assert unguarded(admin, READER_ROLE, "marts") == [
                "marts.fct_unguarded: no row-level security",
                f"marts.fct_unguarded: no SELECT policy for {READER_ROLE}",
            ]
            admin.rollback()

    def test_each_reader_reads_its_tenants_rows_and_no_others(self, first_build: FirstBuild) -> None:
        """Logged in as itself, each role reads every relation it may select: no row of a tenant it
        was not given, and every row of those it was (plus the reference data); a role without a
        tenant reads nothing."""
        database = first_build.settings.postgres
        with psycopg.connect(database.conninfo()) as admin:
            tenants = tenants_readers_may_select(admin)
        assert len(tenants) >= 2, tenants
        wanted = {tenant: frozenset({tenant}) for tenant in tenants}
        wanted |= {"two-tenants": frozenset(tenants[:2]), "no-tenant": frozenset()}
        covered: set[str] = set()
        rows_read: dict[str, int] = {}
        with reader_roles(database, wanted) as readers, psycopg.connect(database.conninfo()) as admin:
            for reader in readers:
                with connect_as(database, reader.role) as connection:
                    readings = read_everything(connection, reader.tenants)
                assert [str(reading.relation) for reading in readings if reading.foreign_rows] == [], reader
                read = {str(reading.relation): reading.rows for reading in readings}
                expected = {
                    str(reading.relation): rows_a_reader_should_read(admin, reading.relation, reader.tenants)
                    for reading in readings
                }
                assert read == expected, reader
                assert (sum(read.values()) > 0) == bool(reader.tenants), reader
                covered |= read.keys()
                rows_read[",".join(sorted(reader.tenants)) or "no tenant"] = sum(read.values())
        schemas = sorted({name.split(".")[0] for name in covered})
        print(
            f"tenant isolation: {len(readers)} roles read {len(covered)} relations in {schemas}; rows {rows_read}"
        )
        # readers reach the marts and the reports through their views, never the materialized views
        assert {"marts", "reporting_readers"} <= set(schemas) and "reporting" not in schemas

    def test_every_described_column_carries_its_comment(self, first_build: FirstBuild) -> None:
        """persist_docs: each column the dbt YAML describes carries that description as its comment, in the
        marts, the reports' materialized views and the readers' views."""
        manifest = json.loads(manifest_path("postgres").read_text(encoding="utf-8"))
        with psycopg.connect(first_build.settings.postgres.conninfo()) as admin:
            coverage = comment_coverage(admin, manifest)
        print(f"column comments in {DOCUMENTED_SCHEMAS}: {coverage}")
        assert coverage.wrong == []
        assert coverage.described > 0

    def test_every_lookml_field_runs_through_its_explore(self, first_build: FirstBuild) -> None:
        """The committed LookML against the warehouse as Looker reads it: logged in as a reader role with
        every tenant, each dimension and measure queried through its explore (all its joins, the
        access_filter given the tenants as the user attribute's values) runs and returns a row."""
        database = first_build.settings.postgres
        with psycopg.connect(database.conninfo()) as admin:
            tenants = tenants_readers_may_select(admin)
        with (
            reader_roles(database, {"looker": frozenset(tenants)}) as (looker,),
            connect_as(database, looker.role) as connection,
        ):
            runs = run_every_field(connection, LOOKER_DIR, {TENANT_ATTRIBUTE: tenants})
        print(f"LookML: {runs.fields} fields of {runs.explores} explores run as a reader of {tenants}")
        assert runs.failures == []
        assert runs.explores > 0
