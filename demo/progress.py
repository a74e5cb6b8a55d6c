"""dbt's output during `make demo`, compact: one progress line ("dbt: 412/757 nodes, 3 warnings") in place
of a line per node, while every failing model or test is still printed with its message.

dagster-dbt writes the message of every dbt event to ``sys.stdout`` (``DbtCliInvocation.stream``):
``compact_dbt_output`` stands in for ``sys.stdout`` and ``sys.stderr`` meanwhile, reads dbt's lines
with ``DbtProgress``, writes every line to a log file, and passes anything it does not recognise (and
everything on stderr: Dagster's warnings) through unchanged. On a terminal the progress line is
rewritten in place; otherwise a line is printed at every tenth of the nodes.
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

# "12 of 757 OK created sql view model staging.stg_x ....... [OK in 0.05s]" (dbt's format_fancy_output_line)
NODE_LINE = re.compile(r"^(?P<index>\d+) of (?P<total>\d+) (?P<status>\S+)")
# "1 of 1 START hook: greenlang.on-run-start.0 ....... [RUN]": numbered like nodes, but not nodes
HOOK_LINE = re.compile(r"^\d+ of \d+ (?P<status>\S+) hook: ")
DOT_PADDING = re.compile(r" \.{3,} ")
ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*m")
FAILED = ("FAIL", "ERROR")
# dbt's banner and totals: the progress line says the same
CHATTER = (
    "Running with dbt=",
    "Registered adapter:",
    "Found ",
    "Concurrency:",
    "Finished running ",
    "Done. PASS=",
    "Completed successfully",
    "Unable to do partial parsing",
)
# After the run dbt repeats each failure ("Failure in test …" and its message), then each warning
# ("Warning in test …"); the warnings are counted already and named in the demo's check summary.
FAILURE_DETAILS = ("Failure in ",)
WARNING_DETAILS = ("Warning in ",)
END_OF_DETAILS = ("Done. PASS=", "Completed with")
STEPS = 10


@dataclass
class DbtProgress:
    """What dbt has done so far, read line by line from its output."""

    done: int = 0
    total: int = 0
    warnings: int = 0
    errors: int = 0
    skipped: int = 0
    _in_warning_details: bool = field(default=False, repr=False)

    def read(self, line: str) -> str | None:
        """Take one line of dbt output; return it (tidied) when it must be printed, None when the
        progress line stands for it."""
        text = ANSI_COLOUR.sub("", line).rstrip()
        hook = HOOK_LINE.match(text)
        if hook:
            return DOT_PADDING.sub(" ", text) if hook["status"] in FAILED else None
        node = NODE_LINE.match(text)
        if node:
            return self._read_node(node, text)
        if text.startswith(WARNING_DETAILS):
            self._in_warning_details = True
        elif text.startswith((*FAILURE_DETAILS, *END_OF_DETAILS)):
            self._in_warning_details = False
        if text.startswith("Completed with"):
            return text if " error" in text else None  # the failures follow
        if self._in_warning_details or not text.strip() or text.startswith(CHATTER):
            return None
        return text

    def _read_node(self, node: re.Match[str], text: str) -> str | None:
        self.total = int(node["total"])
        status = node["status"]
        if status == "START":
            return None
        self.done += 1
        if status == "WARN":
            self.warnings += 1
        elif status == "SKIP":
            self.skipped += 1
        elif status in FAILED:
            self.errors += 1
            return DOT_PADDING.sub(" ", text)
        return None

    def status(self) -> str:
        counts = [
            f"{self.warnings} warning{'s' * (self.warnings != 1)}" if self.warnings else "",
            f"{self.errors} error{'s' * (self.errors != 1)}" if self.errors else "",
            f"{self.skipped} skipped" if self.skipped else "",
        ]
        return ", ".join([f"dbt: {self.done}/{self.total} nodes", *filter(None, counts)])

    def step(self) -> int:
        """Tenths of the nodes done: the non-terminal output prints a line as this grows."""
        return self.done * STEPS // self.total if self.total else 0


class _Lines(io.TextIOBase):
    """A text stream that hands each complete line to ``take`` (no file descriptor: Dagster's capture of
    the process's stdout into compute logs stands aside while it is sys.stdout)."""

    def __init__(self, take: Callable[[str], None]):
        self._take = take
        self._partial = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        *lines, self._partial = (self._partial + text).split("\n")
        for line in lines:
            self._take(line)
        return len(text)

    def close(self) -> None:
        if self._partial:
            self._take(self._partial)
            self._partial = ""
        super().close()


class _Display:
    """The terminal side: lines in full, and the progress line kept last (rewritten in place on a TTY)."""

    def __init__(self, out: TextIO, progress: DbtProgress):
        self.out, self.progress = out, progress
        self.tty = out.isatty()
        self._shown_step = 0
        self._status_is_last = False  # on a TTY: the status line is on screen, unterminated

    def line(self, text: str, stream: TextIO) -> None:
        if self.tty and self._status_is_last:
            self.out.write("\r\x1b[K")
            self.out.flush()
        self._status_is_last = False
        stream.write(text + "\n")
        stream.flush()
        self.update()

    def update(self) -> None:
        if not self.progress.total:
            return
        if self.tty:
            self.out.write("\r\x1b[K" + self.progress.status())
        elif self.progress.step() > self._shown_step:
            self._shown_step = self.progress.step()
            self.out.write(self.progress.status() + "\n")
        else:
            return
        self.out.flush()
        self._status_is_last = True

    def finish(self) -> None:
        """End with the final status: the progress line's last state, or once more after other lines."""
        if self.tty and self._status_is_last:
            self.out.write("\n")
        elif self.progress.total and not self._status_is_last:
            self.out.write(self.progress.status() + "\n")
        self.out.flush()


@contextmanager
def compact_dbt_output(log_path: Path) -> Iterator[DbtProgress]:
    """Meanwhile, dbt's lines on stdout become the progress line; every line also goes to ``log_path``."""
    out, err = sys.stdout, sys.stderr
    progress = DbtProgress()
    display = _Display(out, progress)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w", encoding="utf-8") as log:

        def from_stdout(line: str) -> None:
            log.write(line + "\n")
            shown = progress.read(line)
            if shown is None:
                display.update()
            else:
                display.line(shown, out)

        def from_stderr(line: str) -> None:
            log.write(line + "\n")
            display.line(line, err)

        stdout, stderr = _Lines(from_stdout), _Lines(from_stderr)
        try:
            with redirect_stdout(stdout), redirect_stderr(stderr):
                yield progress
        finally:
            stdout.close()
            stderr.close()
            display.finish()
