"""The one HTTP layer of the ERP clients: a ``requests.Session`` with rate limit, retries and clear errors.

Per request (``ErpHttp.get_json`` / ``post_form``):

- **rate limit** — ``rate_limit_per_minute`` (``rate_limit_burst`` back to back), shared through
  ``rate_limit_store`` by every process calling the same host, taken before every attempt, retries included (they count against the server's quota too). The OAuth token request is
  not limited (another endpoint, often another host).
- **retried** (tenacity, at most ``max_retries`` retries after the first attempt): HTTP 429 after the
  ``Retry-After`` it names (seconds or an HTTP date; a small jitter is added on top, never taken off;
  without the header, backoff), HTTP 408/500/502/503/504 (after ``Retry-After`` if sent, else
  exponential backoff with jitter from ``backoff_initial`` up to ``backoff_max``), timeouts, connection
  errors, and a body that is not valid JSON — an HTML error page with status 200, a truncated page —
  or that the caller's ``validate`` rejects (a page out of key order: a repeated page).
- **not retried**: 401/403 (``ErpAuthError``; one exception — a bearer token is refreshed once after a
  401 and the request re-sent), other 4xx and redirects (``ErpHttpError`` with the start of the body),
  a ``Retry-After`` longer than ``max_retry_after`` (waiting an hour inside a run helps nobody).
- After the last attempt: ``ErpHttpError`` naming the system, method, URL, attempts and the last
  status or failure. Messages and log lines go through a ``Redactor``: the resource's secrets, every
  token obtained, ``Authorization`` header values and token/password parameters become ``***``.
"""

from __future__ import annotations

import base64
import email.utils
import hashlib
import json
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

import requests
import requests.auth
from pyrate_limiter import AbstractBucket, Duration, InMemoryBucket, Limiter, Rate, SQLiteBucket
from requests.adapters import HTTPAdapter
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from greenlang.core.readers import loads_exact

log = logging.getLogger("greenlang.erp.clients")

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
USER_AGENT = "greenlang-warehouse-erp/1.0"
# Characters left as they are in query values: OData literals read better with them ($filter quotes,
# parentheses, the colons of a time); everything else (spaces, + of an offset, =, ;, <, >, &) is encoded.
_QUERY_SAFE = "'(),:$*!/"


# --- errors -----------------------------------------------------------------------------------------------


class ErpError(Exception):
    """Base of the ERP clients' errors."""


class ErpHttpError(ErpError):
    """A request failed for good: after its retries, or at once when retrying cannot help."""

    def __init__(
        self, system: str, method: str, url: str, *, status: int | None, attempts: int, reason: str
    ) -> None:
        self.system, self.method, self.url = system, method, url
        self.status, self.attempts, self.reason = status, attempts, reason
        plural = "attempt" if attempts == 1 else "attempts"
        super().__init__(f"{system}: {method} {url} failed after {attempts} {plural}: {reason}")


class ErpAuthError(ErpHttpError):
    """The server refused the credentials (HTTP 401/403, or the token endpoint refused the client)."""


class InvalidResponse(ErpError):
    """A response body that is JSON but not a usable page; raised by ``validate`` callbacks (retried)."""


class _Retryable(Exception):
    """One attempt failed in a way another attempt may not."""

    def __init__(self, status: int | None, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.status, self.reason, self.retry_after = status, reason, retry_after


# --- secrets ----------------------------------------------------------------------------------------------

_REDACTIONS = (
    (re.compile(r"(?i)\b(authorization\s*[:=]\s*)(bearer|basic)?\s*[^\s,;'\"]+"), r"\1\2 ***"),
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}"), r"\1 ***"),
    (
        re.compile(
            r"(?i)((?:access_token|refresh_token|id_token|client_secret|password|passwd|api_?key)"
            r"[\"']?\s*[:=]\s*[\"']?)[^\"'&\s,;}]+"
        ),
        r"\1***",
    ),
)


class Redactor:
    """Removes secrets from text: known values (the resource's secrets, tokens obtained) and patterns."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._lock = threading.Lock()

    def add(self, *values: str) -> None:
        with self._lock:
            self._secrets.update(value for value in values if value and len(value) >= 4)

    def __call__(self, text: str) -> str:
        with self._lock:
            known = sorted(self._secrets, key=len, reverse=True)
        for secret in known:
            text = text.replace(secret, "***")
        for pattern, replacement in _REDACTIONS:
            text = pattern.sub(replacement, text)
        return text


def basic_authorization(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode("ascii")


# --- rate limit -------------------------------------------------------------------------------------------


class RequestRateLimit:
    """At most ``burst`` requests in any ``burst × 60 / per_minute`` seconds and at most ``per_minute`` in
    any minute, counted across every process that shares ``store`` (pyrate-limiter's sliding-window log).

    ``store`` is an SQLite file guarded by a file lock, keyed by ``key`` (the ERP host): two Dagster
    steps, or two runs, syncing one SAP client draw on one quota, as the server counts it. Without a
    store the window is this process's own. ``acquire()`` blocks until a request may go out.
    """

    def __init__(
        self, per_minute: float, burst: int = 1, *, store: Path | None = None, key: str = ""
    ) -> None:
        if per_minute <= 0:
            raise ValueError("per_minute must be positive")
        burst = max(1, burst)
        rates = [Rate(burst, max(1, round(burst * 60_000 / per_minute)))]
        if per_minute >= burst + 1:  # the burst windows alone could let burst - 1 more through a minute
            rates.append(Rate(int(per_minute), Duration.MINUTE))
        if store is None:
            bucket: AbstractBucket = InMemoryBucket(rates)
        else:
            store.parent.mkdir(parents=True, exist_ok=True)
            table = "rate_" + hashlib.sha256(key.encode()).hexdigest()[:16]
            bucket = SQLiteBucket.init_from_file(rates, table=table, db_path=str(store), use_file_lock=True)
        self._limiter = Limiter(bucket, buffer_ms=5)

    def acquire(self) -> None:
        self._limiter.try_acquire("request")

    def close(self) -> None:
        self._limiter.close()


# --- authentication ---------------------------------------------------------------------------------------


class Auth(Protocol):
    def apply(self, headers: dict[str, str]) -> None:
        """Add the credentials to a request's headers (obtaining a token when needed)."""

    def refresh(self) -> bool:
        """After a 401: get new credentials; True if re-sending the request may now succeed."""


class BasicAuth:
    def __init__(self, username: str, password: str) -> None:
        self._header = basic_authorization(username, password)

    @property
    def header(self) -> str:
        return self._header

    def apply(self, headers: dict[str, str]) -> None:
        headers["Authorization"] = self._header

    def refresh(self) -> bool:
        return False  # the same password again would be refused again (and may lock the account)


class OAuthClientCredentials:
    """OAuth 2.0 client credentials (RFC 6749 §4.4): client id and secret by basic auth at the token
    endpoint; the token is renewed ``margin`` seconds before it expires (at most half its lifetime
    early) and after a 401."""

    def __init__(
        self,
        http: ErpHttp,
        token_url: str,
        client_id: str,
        client_secret: str,
        *,
        margin: float = 60.0,
        scope: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._http, self._token_url = http, token_url
        self._client = (client_id, client_secret)
        self._margin, self._scope, self._clock = margin, scope, clock
        self._token: str | None = None
        self._renew_at = 0.0
        self._lock = threading.Lock()
        self.tokens_obtained = 0
        http.redactor.add(client_secret, basic_authorization(client_id, client_secret).split(" ", 1)[1])

    def apply(self, headers: dict[str, str]) -> None:
        with self._lock:
            if self._token is None or self._clock() >= self._renew_at:
                self._obtain()
            headers["Authorization"] = f"Bearer {self._token}"

    def refresh(self) -> bool:
        with self._lock:
            self._token = None
        return True

    def _obtain(self) -> None:
        form = {"grant_type": "client_credentials"}
        if self._scope:
            form["scope"] = self._scope
        started = self._clock()
        response = self._http.post_form(self._token_url, form, basic=self._client, validate=_check_token)
        body = response.body
        token = str(body["access_token"])
        self._http.redactor.add(token)
        lifetime = float(str(body.get("expires_in") or 0)) or 3600.0
        self._token = token
        self._renew_at = started + lifetime - min(self._margin, lifetime / 2)
        self.tokens_obtained += 1
        log.info("%s: obtained an access token (expires in %g s)", self._http.system, lifetime)


def _check_token(body: Any) -> None:
    if (
        not isinstance(body, dict)
        or not isinstance(body.get("access_token"), str)
        or not body["access_token"]
    ):
        raise InvalidResponse("the token response has no access_token")
    token_type = str(body.get("token_type") or "bearer")
    if token_type.lower() != "bearer":
        raise InvalidResponse(f"token_type {token_type!r} is not Bearer")
    expires = body.get("expires_in")
    if expires is not None:
        try:
            float(str(expires))
        except ValueError:
            raise InvalidResponse(f"expires_in {expires!r} is not a number") from None


# --- the session ------------------------------------------------------------------------------------------


class _Authorization(requests.auth.AuthBase):
    """Sets the ``Authorization`` header (its repr never shows the value)."""

    def __init__(self, value: str) -> None:
        self._value = value

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = self._value
        return request

    def __repr__(self) -> str:
        return "_Authorization(***)"


@dataclass(frozen=True)
class JsonResponse:
    url: str
    status: int
    body: Any  # parsed with loads_exact
    headers: Mapping[str, str]
    attempts: int


def build_url(base: str, params: list[tuple[str, str]]) -> str:
    """``base?k=v&…`` with values percent-encoded except ``'(),:$*!/`` (readable OData literals)."""
    if not params:
        return base
    query = "&".join(f"{quote(key, safe='$')}={quote(value, safe=_QUERY_SAFE)}" for key, value in params)
    return f"{base}?{query}"


def parse_retry_after(value: str | None, now: Callable[[], float] = time.time) -> float | None:
    """Seconds from ``Retry-After``: delta-seconds (a fraction is accepted) or an HTTP date."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if moment is None:
            return None
        seconds = moment.timestamp() - now()
    return max(0.0, seconds)


class ErpHttp:
    """A session for one ERP system. ``auth`` (set by the client) signs data requests."""

    def __init__(
        self,
        system: str,
        *,
        timeout: float = 60.0,
        max_retries: int = 5,
        backoff_initial: float = 1.0,
        backoff_max: float = 60.0,
        max_retry_after: float = 300.0,
        rate_limit: RequestRateLimit | None = None,
        redactor: Redactor | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.system = system
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff_initial, self.backoff_max = backoff_initial, backoff_max
        self.max_retry_after = max_retry_after
        self.redactor = redactor or Redactor()
        self.rate_limit = rate_limit
        self.auth: Auth | None = None
        self._sleep = sleep
        self._backoff = wait_exponential_jitter(
            initial=backoff_initial, max=backoff_max, jitter=backoff_initial
        )
        self.session = session or requests.Session()
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=4, max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.requests_sent = 0

    def close(self) -> None:
        self.session.close()
        if self.rate_limit is not None:
            self.rate_limit.close()

    # --- public -----------------------------------------------------------------------------------------

    def get_json(self, url: str, *, validate: Callable[[Any], None] | None = None) -> JsonResponse:
        """GET a JSON document, signed by ``auth``; ``validate`` may raise ``InvalidResponse`` (retried)."""
        return self._request("GET", url, validate=validate, signed=True, limited=True)

    def post_form(
        self,
        url: str,
        form: Mapping[str, str],
        *,
        basic: tuple[str, str] | None = None,
        validate: Callable[[Any], None] | None = None,
    ) -> JsonResponse:
        """POST a form (the OAuth token request): not rate limited, signed by ``basic`` if given."""
        return self._request(
            "POST", url, validate=validate, signed=False, limited=False, form=form, basic=basic
        )

    # --- retry loop -------------------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        url: str,
        *,
        validate: Callable[[Any], None] | None,
        signed: bool,
        limited: bool,
        form: Mapping[str, str] | None = None,
        basic: tuple[str, str] | None = None,
    ) -> JsonResponse:
        safe_url = self.redactor(url)
        attempts = 0

        def attempt() -> JsonResponse:
            nonlocal attempts
            attempts += 1
            return self._attempt(method, url, safe_url, attempts, validate, signed, limited, form, basic)

        retrying = Retrying(
            stop=stop_after_attempt(self.max_retries + 1),
            wait=self._wait,
            retry=retry_if_exception_type(_Retryable),
            before_sleep=lambda state: self._log_retry(method, safe_url, state),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            return retrying(attempt)
        except _Retryable as last:
            raise ErpHttpError(
                self.system,
                method,
                safe_url,
                status=last.status,
                attempts=attempts,
                reason=self.redactor(last.reason),
            ) from None

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, _Retryable) and error.retry_after is not None:
            return error.retry_after + random.uniform(0, min(1.0, 0.1 * error.retry_after))
        return float(self._backoff(state))

    def _log_retry(self, method: str, safe_url: str, state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        reason = self.redactor(str(error)) if error else "?"
        wait = state.next_action.sleep if state.next_action else 0.0
        log.warning(
            "%s: %s %s: %s; retry %d of %d in %.2f s",
            self.system,
            method,
            safe_url,
            reason,
            state.attempt_number,
            self.max_retries,
            wait,
        )

    # --- one attempt ------------------------------------------------------------------------------------

    def _attempt(
        self,
        method: str,
        url: str,
        safe_url: str,
        attempt: int,
        validate: Callable[[Any], None] | None,
        signed: bool,
        limited: bool,
        form: Mapping[str, str] | None,
        basic: tuple[str, str] | None,
    ) -> JsonResponse:
        refreshed = False
        while True:
            if limited and self.rate_limit is not None:
                self.rate_limit.acquire()
            headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
            if basic is not None:
                headers["Authorization"] = basic_authorization(*basic)
            elif signed and self.auth is not None:
                self.auth.apply(headers)
            authorization = headers.pop("Authorization", None)
            started = time.monotonic()
            try:
                response = self.session.request(
                    method,
                    url,
                    headers=headers,
                    # an explicit auth object: requests then never swaps in credentials from ~/.netrc
                    auth=_Authorization(authorization) if authorization else None,
                    data=form,
                    timeout=(self.timeout, self.timeout),
                    allow_redirects=False,
                )
            except requests.Timeout as error:
                raise _Retryable(
                    None, f"no response within {self.timeout:g} s ({type(error).__name__})"
                ) from None
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as error:
                raise _Retryable(None, f"connection failed ({type(error).__name__})") from None
            self.requests_sent += 1
            status = response.status_code
            log.debug(
                "%s: %s %s → %d (%d bytes, %.3f s)",
                self.system,
                method,
                safe_url,
                status,
                len(response.content),
                time.monotonic() - started,
            )
            renewable = status == 401 and signed and basic is None and self.auth is not None and not refreshed
            if renewable and self.auth is not None and self.auth.refresh():
                refreshed = True
                log.info("%s: %s %s → 401; renewing the access token", self.system, method, safe_url)
                continue
            break
        return self._interpret(method, safe_url, attempt, response, validate)

    def _interpret(
        self,
        method: str,
        safe_url: str,
        attempt: int,
        response: requests.Response,
        validate: Callable[[Any], None] | None,
    ) -> JsonResponse:
        status = response.status_code
        phrase = f"HTTP {status} {response.reason or ''}".rstrip()

        def refusal(error: type[ErpHttpError], reason: str) -> ErpHttpError:
            return error(self.system, method, safe_url, status=status, attempts=attempt, reason=reason)

        if status in RETRY_STATUSES:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if retry_after is not None and retry_after > self.max_retry_after:
                raise refusal(
                    ErpHttpError,
                    f"{phrase} asks to wait {retry_after:g} s (Retry-After), more than "
                    f"max_retry_after_seconds={self.max_retry_after:g}",
                )
            raise _Retryable(status, phrase, retry_after)
        if status in (401, 403):
            raise refusal(ErpAuthError, self._with_body(phrase, response))
        if 300 <= status < 400:
            location = self.redactor(response.headers.get("Location", "?"))
            raise refusal(
                ErpHttpError, f"{phrase}: redirected to {location} (a login page? check the base URL)"
            )
        if status >= 400 or status < 200:
            raise refusal(ErpHttpError, self._with_body(phrase, response))
        content = response.content
        content_type = response.headers.get("Content-Type") or "no content type"
        try:
            text = content.decode("utf-8-sig")
            body = loads_exact(text)
        except UnicodeDecodeError:
            raise _Retryable(
                status, f"{phrase} with a body that is not UTF-8 ({len(content)} bytes, {content_type})"
            ) from None
        except json.JSONDecodeError as error:
            if "html" in content_type.lower() or text.lstrip()[:1] == "<":
                what = "an HTML page"
            elif error.msg.startswith("Unterminated") or error.pos >= len(text.rstrip()) - 1:
                what = "truncated JSON"
            else:
                what = "invalid JSON"
            raise _Retryable(
                status,
                f"{phrase} with {what} instead of a JSON document ({len(content)} bytes, {content_type}): "
                f"{error.msg} at character {error.pos}",
            ) from None
        if validate is not None:
            try:
                validate(body)
            except InvalidResponse as error:
                raise _Retryable(status, f"{phrase} with an unusable page: {error}") from None
        return JsonResponse(safe_url, status, body, response.headers, attempt)

    def _with_body(self, phrase: str, response: requests.Response) -> str:
        text = " ".join(response.content[:2000].decode("utf-8", "replace").split())
        if not text:
            return phrase
        return f"{phrase}: {self.redactor(text)[:300]}"
