"""GreenLang Warehouse.

Loading the code location shows no warning, so that one that appears means something. The filters
below silence, each by its exact message, the warnings that libraries raise about themselves where
there is nothing to change on our side; everything else is left as it is.
"""

import warnings

# BackfillPolicy.single_run() is the API for a backfill that runs once over its range (the daily
# partitioned loads read their range from the run's tags): the warning is its "beta" maturity label.
warnings.filterwarnings(
    "ignore", message="Parameter `backfill_policy` of function `asset` is currently in beta"
)
# build_column_schema_change_checks is Dagster's check of a mart's columns between materializations
# (greenlang/quality): the warning is its "beta" maturity label.
warnings.filterwarnings("ignore", message="Function `build_column_schema_change_checks` is currently in beta")
# dagster-dbt requires sqlglot[rs], whose sqlglotrs announces its own deprecation on import.
warnings.filterwarnings("ignore", message="sqlglotrs is deprecated", category=DeprecationWarning)
