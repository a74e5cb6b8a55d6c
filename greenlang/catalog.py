"""Every contract and source the warehouse knows, gathered from the domains that declare them."""

from __future__ import annotations

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
# Record shapes the warehouse emits rather than receives (a mart's contract shared across sources).
OUTBOUND_CONTRACTS: tuple[type[Contract], ...] = (UnifiedPurchaseLine,)

CONTRACTS: dict[str, type[Contract]] = {
    contract.contract_name: contract
    for contract in (*(spec.contract for spec in RAW_SOURCES), *OUTBOUND_CONTRACTS)
}
