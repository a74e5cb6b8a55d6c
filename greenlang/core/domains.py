"""Where an asset sits in the Dagster UI: its group is its domain (cbam, ghg, procurement, …), its layer
(raw, staging, …) is the tag ``greenlang/layer``. One rule for the dbt models and the Python assets.

A domain is named by a folder: the folder of ``dbt_project/models/<layer>/`` a model sits in, or for a raw
table its source system (the part of ``<system>__<entity>`` before ``__``, which is also the name of its
staging folder). A folder is its own domain unless ``DOMAIN_OF_FOLDER`` says which domain it feeds, so a
new source or mart folder shows up as a group of its own until it is listed here.
"""

from __future__ import annotations

LAYER_TAG = "greenlang/layer"
LAYERS = ("raw", "staging", "intermediate", "marts", "reporting", "reference")
# Seeds are the reference tables; a model directly under a layer (reporting/rpt_*) belongs to the layer.
REFERENCE = "reference"
# raw.load_batch and raw.dead_letter: written by every load, whatever its domain.
LEDGER = "ledger"

DOMAIN_OF_FOLDER = {
    # CBAM: the customs declarations of imported goods and the Commission's default values
    "customs": "cbam",
    # Purchasing in the ERPs: SAP and Oracle orders and invoices, unified in intermediate/erp
    "sap": "procurement",
    "oracle": "procurement",
    "erp": "procurement",
    # Workday: headcount and expense items
    "workday": "hr",
    # Activity data of the GHG inventory
    "meters": "ghg",
    "fuels": "ghg",
    "travel": "ghg",
    "logistics": "ghg",
    "energy": "ghg",
    # Emission-factor publications and the grid-intensity API, matched in intermediate/factors
    "desnz": "factors",
    "epa": "factors",
    "ember": "factors",
    "aib": "factors",
    "grid": "factors",
    # The reports as readers see them (security-barrier views of reporting/rpt_*)
    "readers": "reporting",
}


def domain_of(folder: str) -> str:
    return DOMAIN_OF_FOLDER.get(folder, folder)


def source_domain(source_name: str) -> str:
    """``sap__purchase_order_items`` → procurement."""
    return domain_of(source_name.split("__", 1)[0])


def model_domain(layer: str, folders: list[str]) -> str:
    """The domain of a dbt model from the folders below its layer: ``marts/finance`` → finance; a model
    directly under its layer (``reporting/rpt_*``) → the layer."""
    return domain_of(folders[0]) if folders else layer


def layer_tags(layer: str) -> dict[str, str]:
    if layer not in LAYERS:
        raise ValueError(f"unknown layer {layer!r}: expected one of {', '.join(LAYERS)}")
    return {LAYER_TAG: layer}
