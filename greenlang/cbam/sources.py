"""The CBAM sources, each declared once: customs declaration lines per tenant (daily), and the
Commission's default values, goods list and benchmarks (reference data, yearly)."""

from __future__ import annotations

from greenlang.cbam.contracts import CBAMBenchmark, CBAMDefaultValue, CBAMGood, CBAMShipment
from greenlang.core.loader import SourceSpec

CBAM_SHIPMENTS = SourceSpec(name="customs__cbam_shipments", contract=CBAMShipment, cadence="daily")
CBAM_DEFAULT_VALUES = SourceSpec(name="cbam__default_values", contract=CBAMDefaultValue, cadence="yearly")
CBAM_GOODS = SourceSpec(name="cbam__goods", contract=CBAMGood, cadence="yearly")
# The benchmarks of Implementing Regulation (EU) 2025/2620, column B: figures are text with decimal commas
# and route suffixes ("0,666 (A)"), parsed by stg_cbam__benchmarks.
CBAM_BENCHMARKS = SourceSpec(name="cbam__benchmarks", contract=CBAMBenchmark, cadence="yearly")

CBAM_SOURCES: tuple[SourceSpec, ...] = (CBAM_SHIPMENTS, CBAM_DEFAULT_VALUES, CBAM_GOODS, CBAM_BENCHMARKS)
