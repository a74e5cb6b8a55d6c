"""Faults the simulator injects on demand, one test at a time.

``sim.inject(kind, count=1, path_contains=None, after=0, **params)`` queues a fault: the first ``after``
requests that match are served normally, then the next ``count`` matching requests to which the fault
applies get it. ``path_contains`` is matched against the request target (path and query); by default a
fault matches every API request but not the OAuth token endpoint (``path_contains="/oauth/token"``
targets it). A fault that does not apply to a request (``repeat_page`` on a first page, ``shift`` when
the walk has passed no record yet, ``token_expired`` without a bearer token) waits for a later one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FAULT_KINDS: dict[str, str] = {
    "rate_limit": "HTTP 429 with Retry-After in seconds (param retry_after, default 1)",
    "server_error": "HTTP 5xx (param status: one code or a sequence cycled, default 503)",
    "slow": "the response is held back `delay` seconds (default 2): past a client's read timeout",
    "reset": "the connection is closed without any response",
    "truncated": "HTTP 200 whose JSON body is cut (param fraction kept, default 0.5); Content-Length matches",
    "html": "HTTP 200 with an HTML error page instead of JSON",
    "repeat_page": "the page starts with rows of the previous page (param rows, default all of them) "
    "and drops as many of its own from its end",
    "shift": "a record the walk has passed changes before the page is computed: its change time moves "
    "past the window, so with offset paging every later row moves back by one",
    "token_expired": "HTTP 401 invalid_token and the presented bearer token is revoked (SAP)",
}

_DEFAULTS: dict[str, dict[str, Any]] = {
    "rate_limit": {"retry_after": 1},
    "server_error": {"status": 503},
    "slow": {"delay": 2.0},
    "reset": {},
    "truncated": {"fraction": 0.5},
    "html": {},
    "repeat_page": {"rows": None},
    "shift": {},
    "token_expired": {},
}

# Faults decided before the request is served (gateway-level): they replace the response entirely.
IMMEDIATE = frozenset({"rate_limit", "server_error", "reset", "html", "token_expired", "slow"})
# Faults that change how the response is computed; they apply only where they make sense.
COMPUTED = frozenset({"truncated", "repeat_page", "shift"})


@dataclass
class Fault:
    kind: str
    count: int = 1
    path_contains: str | None = None
    after: int = 0
    params: dict[str, Any] = field(default_factory=dict)
    seen: int = 0  # matching requests counted against `after`
    applied: int = 0

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {', '.join(FAULT_KINDS)}")
        unknown = set(self.params) - set(_DEFAULTS[self.kind])
        if unknown:
            raise ValueError(f"fault {self.kind!r} takes no parameter {', '.join(sorted(unknown))}")
        if self.count < 1 or self.after < 0:
            raise ValueError("count must be at least 1 and after not negative")
        self.params = {**_DEFAULTS[self.kind], **self.params}

    @property
    def remaining(self) -> int:
        return self.count - self.applied

    def matches(self, target: str, is_token_endpoint: bool) -> bool:
        if self.path_contains is None:
            return not is_token_endpoint
        return self.path_contains in target

    def status(self) -> int:
        status = self.params["status"]
        if isinstance(status, int):
            return status
        codes = list(status)
        return int(codes[self.applied % len(codes)])
