from pathlib import Path

import pytest

from greenlang.settings import PROJECT_ROOT, load_settings


def test_defaults_are_the_embedded_duckdb_warehouse() -> None:
    settings = load_settings({})
    assert settings.target == "duckdb"
    assert settings.duckdb_path == PROJECT_ROOT / ".warehouse" / "greenlang.duckdb"
    assert settings.postgres.conninfo() == "host=127.0.0.1 port=5432 user=root dbname=greenlang"
    assert settings.alert_urls is None
    assert not settings.lineage.enabled
    assert settings.metrics_port == 9108


def test_observability_is_configured_by_environment() -> None:
    settings = load_settings(
        {
            "GREENLANG_ALERT_URLS": "json://127.0.0.1:9/hook, workflows://h/w/s",
            "GREENLANG_METRICS_PORT": "9300",
            "GREENLANG_LINEAGE_FILE": "lineage/events.jsonl",
            "GREENLANG_LINEAGE_URL": "http://127.0.0.1:5000",
        }
    )
    assert settings.alert_urls == "json://127.0.0.1:9/hook, workflows://h/w/s"
    assert settings.metrics_port == 9300
    assert settings.lineage.file == PROJECT_ROOT / "lineage" / "events.jsonl"
    assert settings.lineage.url == "http://127.0.0.1:5000"
    assert settings.lineage.enabled


def test_one_variable_selects_the_target_and_dbt_gets_absolute_paths(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "GREENLANG_TARGET": "postgres",
            "GREENLANG_DUCKDB_PATH": "x/w.duckdb",
            "GREENLANG_PG_PASSWORD": "s3cret",
        }
    )
    assert settings.target == "postgres"
    env = settings.dbt_env()
    assert env["GREENLANG_DUCKDB_PATH"] == str(PROJECT_ROOT / "x" / "w.duckdb")
    assert env["DBT_SEND_ANONYMOUS_USAGE_STATS"] == "false"
    assert "password=s3cret" in settings.postgres.conninfo()


def test_an_unknown_target_is_refused() -> None:
    with pytest.raises(ValueError, match="GREENLANG_TARGET='oracle'"):
        load_settings({"GREENLANG_TARGET": "oracle"})


def test_each_erp_system_reaches_its_own_tenant() -> None:
    assert load_settings({}).erp_tenants == {"sap": "default", "oracle": "default", "workday": "default"}
    tenants = load_settings(
        {"GREENLANG_ERP_TENANT": "acme-steel", "GREENLANG_ERP_TENANTS": " oracle = nordic-cement ,"}
    ).erp_tenants
    assert tenants == {"sap": "acme-steel", "oracle": "nordic-cement", "workday": "acme-steel"}
    with pytest.raises(ValueError, match="'netsuite=x' is not <system>=<tenant>"):
        load_settings({"GREENLANG_ERP_TENANTS": "netsuite=x"})
    with pytest.raises(ValueError, match="'sap' is not <system>=<tenant>"):
        load_settings({"GREENLANG_ERP_TENANTS": "sap"})


def test_the_registered_tenants_are_valid_tenant_ids_or_the_start_up_stops() -> None:
    assert load_settings({}).tenants == frozenset()
    assert load_settings({"GREENLANG_TENANTS": "acme-steel, nordic-cement,"}).tenants == {
        "acme-steel",
        "nordic-cement",
    }
    with pytest.raises(ValueError, match="GREENLANG_TENANTS: tenant 'Acme' is not a valid tenant id"):
        load_settings({"GREENLANG_TENANTS": "Acme"})


def test_the_quality_score_floor_and_anomaly_minimum_are_configured_and_checked() -> None:
    defaults = load_settings({})
    assert (defaults.quality_score_warn_below, defaults.quality_score_floor, defaults.anomaly_min_points) == (
        80.0,
        50.0,
        14,
    )
    configured = load_settings({"GREENLANG_QUALITY_SCORE_FLOOR": "65", "GREENLANG_ANOMALY_MIN_POINTS": "21"})
    assert (configured.quality_score_floor, configured.anomaly_min_points) == (65.0, 21)
    with pytest.raises(
        ValueError, match="GREENLANG_QUALITY_SCORE_FLOOR=120: a quality score is between 0 and 100"
    ):
        load_settings({"GREENLANG_QUALITY_SCORE_FLOOR": "120"})


def test_the_cbam_report_needs_its_configuration_and_schema_named() -> None:
    assert (load_settings({}).cbam_report_config, load_settings({}).cbam_schema_dir) == (None, None)
    settings = load_settings(
        {"GREENLANG_CBAM_REPORT_CONFIG": "cbam/report.json", "GREENLANG_CBAM_SCHEMA_DIR": "/srv/cbam-xsd"}
    )
    assert settings.cbam_report_config == PROJECT_ROOT / "cbam" / "report.json"
    assert settings.cbam_schema_dir == Path("/srv/cbam-xsd")
