"""A snapshot of the asset graph: keys, groups, deps, checks, partitions and freshness. Regenerate on purpose with
``UPDATE_SNAPSHOTS=1 make test`` and review the diff like code."""

from __future__ import annotations

import json
import os
from pathlib import Path

import dagster as dg
import pytest

SNAPSHOT = Path(__file__).parent / "snapshots" / "asset_graph.json"


def asset_graph() -> dict:
    from greenlang.definitions import defs

    graph = defs.resolve_asset_graph()
    assets = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        policy = node.freshness_policy
        assets[key.to_user_string()] = {
            "group": node.group_name,
            "deps": sorted(parent.to_user_string() for parent in node.parent_keys),
            "checks": sorted(check.name for check in node.check_keys),
            "partitions": str(node.partitions_def) if node.partitions_def else None,
            "freshness": None
            if policy is None
            else {
                "fail_window": str(policy.fail_window.to_timedelta()),
                "warn_window": str(policy.warn_window.to_timedelta()),
            },
        }
    return {
        "assets": assets,
        "jobs": sorted(job.name for job in defs.resolve_all_job_defs() if not job.name.startswith("__")),
        "schedules": sorted(schedule.name for schedule in defs.schedules or []),
        "sensors": sorted(sensor.name for sensor in defs.sensors or []),
    }


@pytest.mark.slow  # builds the whole Definitions
def test_asset_graph_matches_snapshot() -> None:
    current = asset_graph()
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n")
    assert current == json.loads(SNAPSHOT.read_text())


@pytest.mark.slow  # builds the whole Definitions
def test_every_asset_states_its_sla_and_raw_assets_feed_dbt() -> None:
    from greenlang.definitions import defs

    graph = defs.resolve_asset_graph()
    raw = dg.AssetKey(["raw", "customs__cbam_shipments"])
    assert any(raw in graph.get(key).parent_keys for key in graph.get_all_asset_keys())
    for key in graph.get_all_asset_keys():
        if not graph.get(key).is_materializable:
            continue  # a Looker dashboard (dbt exposure): nothing here updates it, so no SLA of ours applies
        assert graph.get(key).freshness_policy is not None, f"{key.to_user_string()} has no freshness policy"
    checks = {check.name for key in graph.get_all_asset_keys() for check in graph.get(key).check_keys}
    assert {"row_conservation", "great_expectations_suite"} <= checks


@pytest.mark.slow  # builds the whole Definitions
def test_every_step_that_opens_the_warehouse_waits_for_the_warehouse_pool() -> None:
    """DuckDB admits one process while another writes: a step outside the pool would fail on the lock."""
    from greenlang.core.warehouse import WAREHOUSE_POOL
    from greenlang.definitions import defs

    steps = {
        node.name: node
        for assets_def in defs.resolve_asset_graph().assets_defs
        if assets_def.is_executable
        for node in [assets_def.node_def]
    }
    # and the ops of jobs that materialize no asset (archival deletes raw rows a build reads)
    steps.update(
        (node.name, node)
        for job in defs.resolve_all_job_defs()
        for node in job.all_node_defs
        if isinstance(node, dg.OpDefinition)
    )
    using = {name for name, node in steps.items() if "warehouse" in node.required_resource_keys}
    assert len(using) > 20 and "archive_partitions" in using
    assert {name for name in using if steps[name].pool != WAREHOUSE_POOL} == set()


@pytest.mark.slow  # builds the whole Definitions
def test_the_looker_dashboards_are_downstream_of_every_report() -> None:
    from greenlang.definitions import defs

    graph = defs.resolve_asset_graph()
    dashboards = [key for key in graph.get_all_asset_keys() if key.path[0] == "looker"]
    assert dashboards and not any(graph.get(key).is_materializable for key in dashboards)
    reports = {
        key
        for key in graph.get_all_asset_keys()
        if key.path[0] == "reporting" and key.path[-1].startswith("rpt_")
    }
    upstream_of_dashboards: set[dg.AssetKey] = set()
    for key in dashboards:
        pending = list(graph.get(key).parent_keys)
        while pending:
            parent = pending.pop()
            if parent not in upstream_of_dashboards:
                upstream_of_dashboards.add(parent)
                pending.extend(graph.get(parent).parent_keys)
    assert reports and reports <= upstream_of_dashboards, sorted(
        k.to_user_string() for k in reports - upstream_of_dashboards
    )
