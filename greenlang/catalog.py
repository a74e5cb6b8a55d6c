"""Every contract and source the warehouse knows, gathered from the domains that declare them."""

from __future__ import annotations

from greenlang.cbam.report_in import CONTRACT_NAME as CBAM_REPORT_SCHEMA
from greenlang.cbam.report_in import RAW_TABLES as CBAM_FILED_REPORT_TABLES
from greenlang.cbam.report_schema import SCHEMA_VERSION as CBAM_REPORT_SCHEMA_VERSION
from greenlang.cbam.sources import CBAM_SOURCES
from greenlang.core.contract import Contract
from greenlang.core.loader import SourceSpec
from greenlang.erp.contracts import UnifiedPurchaseLine
from greenlang.erp.sources import ERP_SOURCES
from greenlang.ghg.sources import GHG_LANDING_SOURCES, GHG_SOURCES

# Files that arrive in the landing directory (CBAM customs and reference data, GHG activity and factors).
LANDING_SOURCES: tuple[SourceSpec, ...] = (*CBAM_SOURCES, *GHG_LANDING_SOURCES)
# Every raw table Python writes: dbt's sources must exist before any model reads them, loaded or not.
RAW_SOURCES: tuple[SourceSpec, ...] = (*CBAM_SOURCES, *ERP_SOURCES, *GHG_SOURCES)
# Raw tables of deliveries that have no record contract (filed CBAM reports: the XSD is theirs), name ->
# columns: created like the others, so that a tenant moves with them (greenlang.lifecycle.tenant_move).
RAW_TABLES_WITHOUT_CONTRACT: dict[str, list[tuple[str, str]]] = {**CBAM_FILED_REPORT_TABLES}
# The (name, version) their ledger rows give as contract: a publisher's schema (XSD), not in the registry.
EXTERNAL_SCHEMAS: frozenset[tuple[str, str]] = frozenset({(CBAM_REPORT_SCHEMA, CBAM_REPORT_SCHEMA_VERSION)})
# Record shapes the warehouse emits rather than receives (a mart's contract shared across sources).
OUTBOUND_CONTRACTS: tuple[type[Contract], ...] = (UnifiedPurchaseLine,)

CONTRACTS: dict[str, type[Contract]] = {
    contract.contract_name: contract
    for contract in (*(spec.contract for spec in RAW_SOURCES), *OUTBOUND_CONTRACTS)
}
