"""`make sql`: a SQL shell on the warehouse of GREENLANG_TARGET.

PostgreSQL opens in ``psql``; DuckDB in the ``duckdb`` CLI (read-only) when one is installed, in this
virtualenv or on PATH. Without that client, a small shell here runs the statements (DuckDB opened
read-only, PostgreSQL through psycopg) and prints their rows.
"""

from __future__ import annotations

import os
import readline  # noqa: F401  (line editing and history for input())
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import duckdb
import psycopg

from greenlang.settings import Settings, load_settings

SHOWN_ROWS = 50
EXAMPLE = "select * from marts.fct_cbam_imports limit 10;"
QUIT = ("\\q", "exit", "quit", ".quit", ".exit")


def client_command(
    settings: Settings, find: Callable[[str], str | None]
) -> tuple[list[str], dict[str, str]] | None:
    """The installed SQL client for the target and the environment it needs; None when it is not installed."""
    if settings.target == "postgres":
        psql, postgres = find("psql"), settings.postgres
        if psql is None:
            return None
        command = [
            psql,
            "-h",
            postgres.host,
            "-p",
            str(postgres.port),
            "-U",
            postgres.user,
            "-d",
            postgres.database,
        ]
        # The password goes through the environment, never the command line (other users see that).
        return command, {"PGPASSWORD": postgres.password} if postgres.password else {}
    duckdb = find("duckdb")
    return ([duckdb, "-readonly", str(settings.duckdb_path)], {}) if duckdb else None


def find_in_venv_or_path(name: str) -> str | None:
    return shutil.which(name, path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")


def is_complete(statement: str) -> bool:
    """A statement is run once a line ends it with a semicolon."""
    return statement.rstrip().endswith(";")


def format_rows(columns: Sequence[str], rows: Sequence[Sequence[Any]], more: bool) -> str:
    """Rows as an aligned text table; ``more``: rows beyond these were left out."""
    cells = [[("" if value is None else str(value)) for value in row] for row in rows]
    widths = [max([len(column), *(len(row[index]) for row in cells)]) for index, column in enumerate(columns)]
    lines = [
        " | ".join(column.ljust(width) for column, width in zip(columns, widths, strict=True)),
        "-+-".join("-" * width for width in widths),
        *(" | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in cells),
    ]
    shown = f"first {len(rows)} rows" if more else f"{len(rows)} row{'' if len(rows) == 1 else 's'}"
    return "\n".join([*(line.rstrip() for line in lines), f"({shown})"])


def run_statement(connection: Any, statement: str) -> str:
    """Run one statement on a DB-API connection: its rows as a table, or what it did."""
    cursor = connection.cursor()
    cursor.execute(statement)
    if cursor.description is None:
        return "OK"
    rows = cursor.fetchmany(SHOWN_ROWS + 1)
    return format_rows(
        [column[0] for column in cursor.description], rows[:SHOWN_ROWS], len(rows) > SHOWN_ROWS
    )


def shell(connection: Any, errors: tuple[type[Exception], ...], read: Callable[[str], str] = input) -> None:
    """Read statements until end of input or a quit command; an error is printed, not fatal."""
    interactive = sys.stdin.isatty()
    statement = ""
    while True:
        try:
            line = read(("sql> " if not statement else "...> ") if interactive else "")
        except EOFError:
            return
        if not statement and line.strip() in QUIT:
            return
        statement = f"{statement}\n{line}" if statement else line
        if is_complete(statement):
            try:
                print(run_statement(connection, statement))
            except errors as error:
                print(f"Error: {error}")
            statement = ""


def connect(settings: Settings) -> tuple[Any, tuple[type[Exception], ...]]:
    if settings.target == "postgres":
        return psycopg.connect(settings.postgres.conninfo(), autocommit=True), (psycopg.Error,)
    # Read-only: the warehouse is written by the loads and dbt; other readers may share the file.
    return duckdb.connect(str(settings.duckdb_path), read_only=True), (duckdb.Error,)


def main() -> int:
    settings = load_settings()
    if settings.target == "duckdb" and not settings.duckdb_path.exists():
        print(f"No warehouse at {settings.duckdb_path}: build it with `make demo`.", file=sys.stderr)
        return 1
    client = client_command(settings, find_in_venv_or_path)
    if client is not None:
        command, environment = client
        os.execve(command[0], command, {**os.environ, **environment})
    connection, errors = connect(settings)
    if sys.stdin.isatty():
        print(
            f"{settings.target} warehouse ({'read-only' if settings.target == 'duckdb' else 'read-write'}); "
            "schemas raw, reference, staging, intermediate, marts, reporting.\n"
            f"End a statement with ';', e.g. {EXAMPLE}  Quit with Ctrl-D or \\q."
        )
    with connection:
        shell(connection, errors)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
