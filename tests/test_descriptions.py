"""Everything an engineer meets in the Dagster UI says what it is: every asset, asset check (dbt tests
included), job, schedule and sensor of the code location has a description."""

from __future__ import annotations

from greenlang.definitions import defs
from greenlang.warehouse.dbt import describe_test


def test_every_asset_check_job_schedule_and_sensor_is_described() -> None:
    graph = defs.resolve_asset_graph()
    undescribed = [
        *(key.to_user_string() for key in graph.get_all_asset_keys() if not graph.get(key).description),
        *(
            key.to_user_string()
            for key in graph.asset_check_keys
            if not graph.get_check_spec(key).description
        ),
        *(
            job.name
            for job in defs.resolve_all_job_defs()
            if not job.name.startswith("__") and not job.description
        ),
        *(schedule.name for schedule in defs.schedules or [] if not schedule.description),
        *(sensor.name for sensor in defs.sensors or [] if not sensor.description),
    ]
    assert undescribed == []


def test_a_dbt_test_is_described_from_what_it_tests() -> None:
    def generic(name: str, **kwargs) -> dict:
        return {"resource_type": "test", "test_metadata": {"name": name, "kwargs": kwargs}}

    assert describe_test(generic("not_null", column_name="cn_code")) == "cn_code is never null"
    assert describe_test(generic("unique", column_name="key")) == "key is unique"
    assert describe_test(generic("accepted_values", column_name="gas", values=["co2", "ch4"])) == (
        "gas is one of co2, ch4"
    )
    assert describe_test(
        generic("relationships", column_name="country_code", to="ref('dim_country')", field="iso2")
    ) == ("every country_code exists as iso2 in dim_country")
    assert describe_test({"resource_type": "test", "name": "assert_ghg_staging_deduplicated"}) == (
        "Singular test: ghg staging deduplicated"
    )
    assert describe_test({"resource_type": "unit_test", "name": "fuel_to_kwh"}).startswith(
        "Unit test: fuel to kwh"
    )
