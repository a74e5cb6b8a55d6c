"""Record contracts, by ``contract_name``: what loaders, schema export and dbt docs look up."""

from contracts.base import Contract
from contracts.cbam_default_value import CBAMDefaultValue
from contracts.cbam_good import CBAMGood
from contracts.cbam_shipment import CBAMShipment

CONTRACTS: dict[str, type[Contract]] = {
    contract.contract_name: contract for contract in (CBAMShipment, CBAMDefaultValue, CBAMGood)
}

__all__ = ["CONTRACTS", "CBAMDefaultValue", "CBAMGood", "CBAMShipment", "Contract"]
