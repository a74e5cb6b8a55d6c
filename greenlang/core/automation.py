"""When a derived asset (a dbt model, a seed, the ESRS export) rebuilds: declarative automation.

Loads materialize only their raw asset; what depends on it follows from this one condition, evaluated by
the automation sensor of ``greenlang.warehouse``. It is ``AutomationCondition.eager()`` without the two
parts that take the Dagster instance's records for the data, which lives in the warehouse:

- ``eager`` fires for an asset that becomes *missing*: its records wiped in the UI, or lost with the
  instance, would rebuild it although its table is there.
- ``eager`` waits while *any dependency is missing*. A model's seeds or other sources may never have been
  materialized in this instance (built before it, by ``make demo`` on another instance, or by ``dbt``
  directly): waiting for them would wait forever.

What remains: new data in any dependency (or a change of the asset's own code: a seed's CSV, a model's
SQL) since the asset was last requested or updated, once nothing it depends on is still running, and
while no dependency's blocking check failed on its latest materialization. Loads and models run in
separate runs now, so the run machinery no longer stops the models downstream of a failed blocking
check: the last clause does, without waiting on checks that never ran in this instance. On a new or
wiped instance nothing has been updated since the first evaluation, so nothing is requested.
"""

from __future__ import annotations

import dagster as dg

# ``any_deps_updated`` with one change: a dependency's update counts only when it brought a new data
# version. A raw asset's data version is what the ledger holds of its source (``ledger_data_version``), so
# an hourly sync or a daily load that found nothing new rebuilds nothing; a model's is derived by Dagster
# from its code version and its inputs' versions, so a change still travels down the chain.
_ANY_DEP_HAS_NEW_DATA = dg.AutomationCondition.any_deps_match(
    (
        dg.AutomationCondition.newly_updated()
        & dg.AutomationCondition.data_version_changed()
        & ~dg.AutomationCondition.executed_with_root_target()
    ).with_label("newly updated with new data, by a run without this asset")
    | dg.AutomationCondition.will_be_requested()
).with_label("a dependency has new data")

_UPDATED_SINCE_LAST_HANDLED = (
    (_ANY_DEP_HAS_NEW_DATA | dg.AutomationCondition.code_version_changed())
    .since_last_handled()
    .with_label("a dependency's data or the code changed since last requested or updated")
)

_A_DEPENDENCY_FAILED_A_BLOCKING_CHECK = dg.AutomationCondition.any_deps_match(
    dg.AutomationCondition.any_checks_match(dg.AutomationCondition.check_failed(), blocking_only=True)
).with_label("a dependency failed a blocking check")

REBUILD_AFTER_UPSTREAM_CHANGES = (
    _UPDATED_SINCE_LAST_HANDLED
    & ~dg.AutomationCondition.any_deps_in_progress()
    & ~dg.AutomationCondition.in_progress()
    & ~_A_DEPENDENCY_FAILED_A_BLOCKING_CHECK
).with_label("rebuild after upstream changes")
