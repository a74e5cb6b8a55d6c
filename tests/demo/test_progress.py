"""`make demo` shows dbt's progress in one line and still prints every failure with its message.

``data/dbt_build_output.txt`` is what dagster-dbt writes to stdout for a `dbt build` (dbt 1.11, colours
included) of a small project with a model that fails, its skipped child, a failing test and a warning.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from demo.progress import DbtProgress, compact_dbt_output

BUILD_OUTPUT = (Path(__file__).parent / "data" / "dbt_build_output.txt").read_text(encoding="utf-8")


def printed(lines: list[str]) -> tuple[DbtProgress, list[str]]:
    progress = DbtProgress()
    return progress, [shown for line in lines if (shown := progress.read(line)) is not None]


def test_the_node_lines_become_counts_and_only_failures_are_printed_with_their_messages() -> None:
    progress, shown = printed(BUILD_OUTPUT.splitlines())
    assert progress.status() == "dbt: 8/8 nodes, 1 warning, 2 errors, 1 skipped"
    assert shown == [
        "1 of 8 ERROR creating sql view model main.broken_model [ERROR in 0.10s]",
        "8 of 8 FAIL 1 unique_ok_model_id [FAIL 1 in 0.04s]",
        "Completed with 2 errors, 0 partial successes, and 1 warning:",
        "Failure in model broken_model (models/broken_model.sql)",
        "  Runtime Error in model broken_model (models/broken_model.sql)",
        "  Catalog Error: Table with name nowhere_table does not exist!",
        '  Did you mean "duckdb_tables"?',
        "  compiled code at target/compiled/tiny/models/broken_model.sql",
        "Failure in test unique_ok_model_id (models/schema.yml)",
        "  Got 1 result, configured to fail if != 0",
        "  compiled code at target/compiled/tiny/models/schema.yml/unique_ok_model_id.sql",
    ]


def test_the_project_hooks_are_no_nodes_and_print_only_when_they_fail() -> None:
    hooks = [
        "1 of 1 START hook: greenlang.on-run-start.0 ........ [RUN]",
        "1 of 1 OK hook: greenlang.on-run-start.0 ........... [OK in 0.01s]",
        "1 of 2 START sql view model staging.a .............. [RUN]",
        "1 of 2 OK created sql view model staging.a ......... [OK in 0.05s]",
        "2 of 2 OK created sql view model staging.b ......... [OK in 0.05s]",
        "1 of 1 ERROR hook: greenlang.on-run-end.0 .......... [ERROR in 0.01s]",
    ]
    progress, shown = printed(hooks)
    assert progress.status() == "dbt: 2/2 nodes"
    assert shown == ["1 of 1 ERROR hook: greenlang.on-run-end.0 [ERROR in 0.01s]"]


def test_a_clean_build_prints_nothing_but_what_it_does_not_recognise() -> None:
    clean = [line for line in BUILD_OUTPUT.splitlines() if "ERROR" not in line and "FAIL" not in line]
    clean = clean[
        : clean.index("\x1b[31mCompleted with 2 errors, 0 partial successes, and 1 warning:\x1b[0m")
    ]
    progress, shown = printed([*clean, "Completed successfully", "[WARNING]: Deprecated functionality"])
    assert shown == ["[WARNING]: Deprecated functionality"]
    assert progress.status() == "dbt: 6/8 nodes, 1 warning, 1 skipped"


def test_a_warnings_only_summary_prints_nothing_and_what_follows_it_shows_again() -> None:
    progress, shown = printed(
        [
            "1 of 1 WARN 3 some_test [WARN 3 in 0.1s]",
            "Completed with 1 warning:",
            "Warning in test some_test (x.yml)",
            "Got 3 results",
            "Done. PASS=0 WARN=1 ERROR=0 SKIP=0 NO-OP=0 TOTAL=1",
            "something else",
        ]
    )
    assert shown == ["something else"]
    assert progress.step() == 10


def test_the_demo_output_has_the_progress_in_steps_and_the_failures_and_keeps_everything_in_the_log(
    tmp_path: Path, monkeypatch
) -> None:
    terminal, errors = io.StringIO(), io.StringIO()  # not a TTY: a line at each tenth of the nodes
    monkeypatch.setattr(sys, "stdout", terminal)
    monkeypatch.setattr(sys, "stderr", errors)
    log = tmp_path / "demo.log"
    with compact_dbt_output(log):
        sys.stdout.write(BUILD_OUTPUT)
        print("a Dagster warning", file=sys.stderr)
    out = terminal.getvalue().splitlines()
    assert out[:2] == [
        "1 of 8 ERROR creating sql view model main.broken_model [ERROR in 0.10s]",
        "dbt: 1/8 nodes, 1 error",
    ]
    assert "8 of 8 FAIL 1 unique_ok_model_id [FAIL 1 in 0.04s]" in out
    assert out[-1] == "dbt: 8/8 nodes, 1 warning, 2 errors, 1 skipped"
    assert len(out) < 25
    assert errors.getvalue() == "a Dagster warning\n"
    assert log.read_text(encoding="utf-8") == BUILD_OUTPUT + "a Dagster warning\n"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_progress_line_is_rewritten_in_place_and_a_failure_printed_above_it(
    tmp_path: Path, monkeypatch
) -> None:
    terminal = Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    with compact_dbt_output(tmp_path / "demo.log"):
        print("1 of 2 OK created sql view model a [OK in 0.1s]")
        print("2 of 2 FAIL 1 unique_a_id [FAIL 1 in 0.1s]")
    assert terminal.getvalue() == (
        "\r\x1b[Kdbt: 1/2 nodes"
        "\r\x1b[K2 of 2 FAIL 1 unique_a_id [FAIL 1 in 0.1s]\n"
        "\r\x1b[Kdbt: 2/2 nodes, 1 error\n"
    )
