"""Every inbound source the warehouse loads: raw table name, contract, and how often it must arrive."""

from __future__ import annotations

from contracts.cbam_default_value import CBAMDefaultValue
from contracts.cbam_good import CBAMGood
from contracts.cbam_shipment import CBAMShipment
from ingestion.loader import SourceSpec

# Reference data published by authorities is not a tenant's data: it loads once for everyone.
GLOBAL_TENANT = "global"

CBAM_SHIPMENTS = SourceSpec(name="customs__cbam_shipments", contract=CBAMShipment)
CBAM_DEFAULT_VALUES = SourceSpec(name="cbam__default_values", contract=CBAMDefaultValue)
CBAM_GOODS = SourceSpec(name="cbam__goods", contract=CBAMGood)

SOURCES = (CBAM_SHIPMENTS, CBAM_DEFAULT_VALUES, CBAM_GOODS)
REFERENCE_SOURCES = (CBAM_DEFAULT_VALUES, CBAM_GOODS)
