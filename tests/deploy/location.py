"""A code location for the deployment tests: the real CBAM goods load, a writer that holds the DuckDB file
for a while, and one that holds it until its run is killed, all in the warehouse pool. The daemon of
deploy/dagster.yaml launches their runs.

The warehouse and the landing directory come from the environment, as in the real code location
(``greenlang.settings``); the test points them at a temporary folder.
"""

import time

import dagster as dg

from greenlang.cbam.sources import CBAM_GOODS
from greenlang.core.warehouse import WAREHOUSE_POOL, WarehouseResource
from greenlang.ingest.assets import build_ingestion_asset
from greenlang.ingest.checks import build_row_conservation_check
from greenlang.settings import load_settings

HOLD_SECONDS = 6
# Long enough that only the test's kill -9 ends it; bounded so that a test that fails to kill it still ends.
HOLD_UNTIL_KILLED_SECONDS = 120
HOLDING_MESSAGE = "holding the warehouse until killed"


@dg.asset(pool=WAREHOUSE_POOL, description="Writes one row, holding the warehouse open for a few seconds")
def slow_writer(warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.get_warehouse().session() as session, session.transaction():
        session.execute("CREATE TABLE IF NOT EXISTS slow_writes (written_at TIMESTAMP)")
        session.execute("INSERT INTO slow_writes VALUES (current_timestamp)")
        time.sleep(HOLD_SECONDS)
    return dg.MaterializeResult()


@dg.asset(
    pool=WAREHOUSE_POOL, description="Writes one row and holds the warehouse open until its run is killed"
)
def writer_killed_midway(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> None:
    with warehouse.get_warehouse().session() as session, session.transaction():
        session.execute("CREATE TABLE IF NOT EXISTS killed_writes (written_at TIMESTAMP)")
        session.execute("INSERT INTO killed_writes VALUES (current_timestamp)")
        context.log.info(HOLDING_MESSAGE)
        time.sleep(HOLD_UNTIL_KILLED_SECONDS)


settings = load_settings()
goods = build_ingestion_asset(CBAM_GOODS, settings.landing_dir, settings.tenants)

defs = dg.Definitions(
    assets=[slow_writer, writer_killed_midway, goods],
    asset_checks=[build_row_conservation_check(CBAM_GOODS)],
    jobs=[
        dg.define_asset_job("write_slowly", selection=[slow_writer.key]),
        dg.define_asset_job("load_goods", selection=[goods.key]),
        dg.define_asset_job("write_until_killed", selection=[writer_killed_midway.key]),
    ],
    resources={"warehouse": WarehouseResource.from_settings(settings)},
)
