"""Asset groups are domains, the layer is a tag: the rule (greenlang.core.domains) and the code location."""

from __future__ import annotations

import pytest

from greenlang.core.domains import (
    LAYER_TAG,
    LAYERS,
    LEDGER,
    domain_of,
    layer_tags,
    model_domain,
    source_domain,
)
from greenlang.definitions import defs


def test_a_folder_is_its_own_domain_unless_listed_as_feeding_another() -> None:
    assert domain_of("cbam") == "cbam"
    assert domain_of("customs") == "cbam"
    assert domain_of("erp") == "procurement"
    assert domain_of("waste") == "waste"


def test_a_raw_source_belongs_to_the_domain_of_its_system() -> None:
    assert source_domain("sap__purchase_order_items") == "procurement"
    assert source_domain("customs__cbam_shipments") == "cbam"
    assert source_domain("desnz__conversion_factors") == "factors"


def test_a_model_belongs_to_the_domain_of_its_folder_else_to_its_layer() -> None:
    assert model_domain("marts", ["finance"]) == "finance"
    assert model_domain("staging", ["oracle"]) == "procurement"
    assert model_domain("intermediate", ["ghg", "activities"]) == "ghg"
    assert model_domain("reporting", []) == "reporting"


def test_a_layer_tag_names_a_known_layer() -> None:
    assert layer_tags("marts") == {LAYER_TAG: "marts"}
    with pytest.raises(ValueError, match="unknown layer"):
        layer_tags("mart")


def test_every_asset_carries_its_layer_and_staging_shares_the_group_of_its_raw_tables() -> None:
    graph = defs.resolve_asset_graph()
    nodes = [graph.get(key) for key in graph.get_all_asset_keys()]
    assert {node.key.to_user_string() for node in nodes if node.tags.get(LAYER_TAG) not in LAYERS} == set()
    assert not {node.group_name for node in nodes} & {"raw", "staging", "intermediate", "marts"}
    mismatched = [
        (node.key.to_user_string(), node.group_name, parent.to_user_string(), graph.get(parent).group_name)
        for node in nodes
        if node.tags[LAYER_TAG] == "staging"
        for parent in node.parent_keys
        if graph.get(parent).tags.get(LAYER_TAG) == "raw"
        and graph.get(parent).group_name not in (node.group_name, LEDGER)
    ]
    assert mismatched == []
