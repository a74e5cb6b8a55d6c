"""CBAM: what the domain adds to its landing sources (``greenlang.cbam.sources``): the GX suite."""

import dagster as dg

from greenlang.cbam.checks import cbam_shipments_expectations


def cbam_definitions() -> dg.Definitions:
    return dg.Definitions(asset_checks=[cbam_shipments_expectations])
