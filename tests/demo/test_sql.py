"""`make sql`: which client opens on which target, and the small shell used when none is installed."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest

from demo.sql import client_command, format_rows, is_complete, shell
from greenlang.settings import load_settings

FOUND = {"psql": "/usr/bin/psql", "duckdb": "/opt/bin/duckdb"}.get


def test_postgres_opens_in_psql_with_the_password_in_the_environment_only() -> None:
    settings = load_settings({"GREENLANG_TARGET": "postgres", "GREENLANG_PG_PASSWORD": "s3cret"})
    command, environment = client_command(settings, FOUND)
    assert command == ["/usr/bin/psql", "-h", "127.0.0.1", "-p", "5432", "-U", "root", "-d", "greenlang"]
    assert environment == {"PGPASSWORD": "s3cret"}
    assert client_command(load_settings({"GREENLANG_TARGET": "postgres"}), FOUND)[1] == {}


def test_duckdb_opens_read_only_in_its_cli_when_installed() -> None:
    settings = load_settings({"GREENLANG_DUCKDB_PATH": "/data/w.duckdb"})
    assert client_command(settings, FOUND) == (["/opt/bin/duckdb", "-readonly", "/data/w.duckdb"], {})


def test_without_an_installed_client_the_own_shell_is_used() -> None:
    assert client_command(load_settings({}), lambda name: None) is None
    assert client_command(load_settings({"GREENLANG_TARGET": "postgres"}), lambda name: None) is None


def test_a_statement_is_complete_at_a_trailing_semicolon() -> None:
    assert is_complete("select 1;  ")
    assert not is_complete("select ';' as x")


def test_rows_print_aligned_with_nulls_empty_and_say_when_some_were_left_out() -> None:
    assert format_rows(["tenant", "rows"], [("acme", 12), ("nordic-cement", None)], more=False) == (
        "tenant        | rows\n--------------+-----\nacme          | 12\nnordic-cement |\n(2 rows)"
    )
    assert format_rows(["x"], [(1,)], more=True).endswith("(first 1 rows)")


def lines(*texts: str) -> Iterator[str]:
    yield from texts
    raise EOFError


def test_the_shell_runs_statements_over_several_lines_and_survives_an_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    connection = duckdb.connect()
    connection.execute("create table t as select 1 as n union all select 2")
    read = lines("select sum(n) as total", "from t;", "select * from missing;", "select 3 as n;").__next__
    shell(connection, (duckdb.Error,), read=lambda prompt: read())
    output = capsys.readouterr().out
    assert "total\n-----\n3\n(1 row)" in output
    assert "Error: Catalog Error" in output
    assert output.rstrip().endswith("n\n-\n3\n(1 row)")


def test_the_shell_stops_at_a_quit_command(capsys: pytest.CaptureFixture[str]) -> None:
    read = lines("\\q", "select 1;").__next__
    shell(duckdb.connect(), (duckdb.Error,), read=lambda prompt: read())
    assert capsys.readouterr().out == ""
