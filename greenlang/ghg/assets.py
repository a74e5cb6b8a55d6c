"""The US EPA GHG Emission Factors Hub: a publication that is not a plain landing file.

``raw/epa__emission_factors``: the hub workbooks waiting in ``<landing>/global/epa__emission_factors/``
(or the files of the run config), each parsed by ``greenlang.ghg.epa_hub.load_epa_hub``; a workbook
loaded before is skipped.
"""

from pathlib import Path

import dagster as dg
from pydantic import Field

from greenlang.core.domains import source_domain
from greenlang.core.freshness import FRESHNESS
from greenlang.core.landing import GLOBAL_TENANT, landed_files
from greenlang.core.loader import LoadError
from greenlang.core.readers import UnreadableFileError
from greenlang.core.warehouse import WAREHOUSE_POOL, WarehouseResource
from greenlang.ghg.epa_hub import load_epa_hub
from greenlang.ghg.sources import EPA_EMISSION_FACTORS
from greenlang.ingest.assets import (
    RAW_TAGS,
    WAREHOUSE_KINDS,
    fail_run_on,
    file_counts,
    ledger_data_version,
    load_each,
    loaded_rows,
    raw_asset_key,
    skipped_rows,
)

EPA_KEY = raw_asset_key(EPA_EMISSION_FACTORS)
EPA_SUFFIXES = {".xlsx", ".xlsm"}


# --- EPA GHG Emission Factors Hub ---------------------------------------------------------------------------


class EpaHubConfig(dg.Config):
    """Which workbooks to load. Empty: every workbook waiting in ``<landing>/global/epa__emission_factors/``."""

    files: list[str] = Field(
        default=[], description="Workbooks to load; empty: all waiting in the landing dir"
    )
    landing_dir: str | None = Field(default=None, description="Overrides GREENLANG_LANDING_DIR")


def epa_workbooks(landing_dir: Path) -> tuple[list[Path], list[str]]:
    """The hub workbooks waiting (oldest first), and what else lies in the source's folders (ignored)."""
    workbooks, ignored = [], []
    # no registered tenant: the hub's workbooks are reference data, of the reserved tenant only
    for item in landed_files(landing_dir, (), [EPA_EMISSION_FACTORS.name]):
        if (
            item.tenant_id == GLOBAL_TENANT
            and item.refusal is None
            and item.path.suffix.lower() in EPA_SUFFIXES
        ):
            workbooks.append(item.path)
        else:
            ignored.append(f"{item.tenant_id}/{item.path.name}")
    return workbooks, ignored


def build_epa_emission_factors_asset(default_landing_dir: Path) -> dg.AssetsDefinition:
    @dg.asset(
        key=EPA_KEY,
        group_name=source_domain(EPA_EMISSION_FACTORS.name),
        tags=RAW_TAGS,
        kinds={*WAREHOUSE_KINDS, "excel"},
        description=(
            "US EPA GHG Emission Factors Hub workbooks (`<landing>/global/epa__emission_factors/*.xlsx`) "
            "parsed into one row per published cell (contract "
            f"{EPA_EMISSION_FACTORS.contract.contract_name} v{EPA_EMISSION_FACTORS.contract.contract_version}) "
            "in `raw.epa__emission_factors`, tenant `global`, edition in `raw.load_batch.attributes`; "
            "a workbook loaded before is skipped."
        ),
        metadata={
            "contract": f"{EPA_EMISSION_FACTORS.contract.contract_name} "
            f"v{EPA_EMISSION_FACTORS.contract.contract_version}"
        },
        freshness_policy=FRESHNESS[EPA_EMISSION_FACTORS.cadence],
        pool=WAREHOUSE_POOL,
    )
    def _epa(context: dg.AssetExecutionContext, config: EpaHubConfig, warehouse: WarehouseResource):
        if config.files:
            paths = [Path(name).resolve() for name in config.files]
        else:
            landing_dir = Path(config.landing_dir) if config.landing_dir else default_landing_dir
            paths, ignored = epa_workbooks(landing_dir)
            if ignored:
                context.log.warning(f"not EPA hub workbooks of tenant {GLOBAL_TENANT!r}, ignored: {ignored}")
        store = warehouse.get_warehouse()
        results = fail_run_on(
            load_each(
                context,
                [(path.name, lambda path=path: [load_epa_hub(store, path)]) for path in paths],
                errors=(LoadError, UnreadableFileError),
            ),
            what="workbook(s)",
        )
        return dg.MaterializeResult(
            metadata={
                **file_counts(results),
                **loaded_rows(results),
                **skipped_rows(store, results),
            },
            data_version=ledger_data_version(store, EPA_EMISSION_FACTORS),
        )

    return _epa
