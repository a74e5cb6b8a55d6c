"""Record contracts, by ``contract_name``: what loaders, schema export and dbt docs look up."""

from contracts.base import Contract
from contracts.cbam_default_value import CBAMDefaultValue
from contracts.cbam_good import CBAMGood
from contracts.cbam_shipment import CBAMShipment
from contracts.erp import (
    ERP_CONTRACTS,
    OracleInvoice,
    OraclePurchaseOrderLine,
    SAPMaterialStock,
    SAPPurchaseOrderItem,
    UnifiedPurchaseLine,
    WorkdayExpenseItem,
    WorkdayHeadcount,
)
from contracts.ghg import GHG_CONTRACTS

CONTRACTS: dict[str, type[Contract]] = {
    contract.contract_name: contract
    for contract in (CBAMShipment, CBAMDefaultValue, CBAMGood, *ERP_CONTRACTS, *GHG_CONTRACTS)
}

__all__ = [
    "CONTRACTS",
    "CBAMDefaultValue",
    "CBAMGood",
    "CBAMShipment",
    "Contract",
    "OracleInvoice",
    "OraclePurchaseOrderLine",
    "SAPMaterialStock",
    "SAPPurchaseOrderItem",
    "UnifiedPurchaseLine",
    "WorkdayExpenseItem",
    "WorkdayHeadcount",
]
