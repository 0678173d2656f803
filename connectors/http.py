"""The HTTP layer every connector shares: one session per source, timeouts on every call,
retries of single requests, rate-limit pacing, conditional GETs and Link-header paging.

Retries wrap one request, never a page generator: a retried generator would replay pages.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import deque
from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
)

from connectors.clean import clean_json
from connectors.errors import (
    RateLimited,
    TrackerError,
    Transient,
    describe_unreachable,
    from_response,
    redact_url,
)
from connectors.interrupt import check_interrupted, pause

log = logging.getLogger(__name__)

USER_AGENT = "tracker-sync/0.1 (+https://github.com/tracker-sync)"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass
class RetryPolicy:
    """How hard to try. ``max_wait`` caps any single wait: a tracker asking for longer (a
    primary rate limit resetting in 40 minutes) fails the source instead of hanging cron."""

    attempts: int = 8
    backoff: float = 0.5
    backoff_max: float = 30.0
    unhinted_rate_limit_wait: float = 60.0
    max_wait: float = 900.0


@dataclass
class EtagCache:
    """Validators per full URL, with the next-page link seen then, so a 304 page still knows
    where paging goes on. Kept in the store by the caller; ``touched`` tells what this run used,
    so stale URLs can be dropped."""

    entries: MutableMapping[str, dict[str, Any]] = field(default_factory=dict)
    touched: set[str] = field(default_factory=set)

    def get(self, url: str) -> dict[str, Any] | None:
        return self.entries.get(url)

    def put(
        self, url: str, etag: str, next_url: str | None, value: Any = None, count: int | None = None
    ) -> None:
        """``value``: what a 304 for this URL stands for, when the caller cannot find it
        elsewhere (a page's items are in the store; ``/user``'s account is kept here).
        ``count``: how many items the page held, to tell a full last page from a short one."""
        self.entries[url] = {"etag": etag, "next": next_url}
        if value is not None:
            self.entries[url]["value"] = value
        if count is not None:
            self.entries[url]["count"] = count
        self.touched.add(url)

    def used(self) -> dict[str, dict[str, Any]]:
        return {url: self.entries[url] for url in self.touched if url in self.entries}


@dataclass
class Page:
    """One page of a list endpoint. ``not_modified`` pages carry no items: the caller already
    stored them when the ETag was issued."""

    url: str
    items: list[Any]
    next_url: str | None
    not_modified: bool = False
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass
class RequestStats:
    requests: int = 0
    not_modified: int = 0
    writes: int = 0
    retries: int = 0
    paced_seconds: float = 0.0


class HttpClient:
    """A tracker's HTTP endpoint as seen by one source."""

    def __init__(
        self,
        source: str,
        base_url: str,
        *,
        headers: Mapping[str, str] | None = None,
        auth: Any = None,
        timeout: tuple[float, float] = (10.0, 60.0),
        retry: RetryPolicy | None = None,
        min_write_interval: float = 0.0,
        min_request_interval: float = 0.0,
        budget: tuple[int, float] | None = None,
    ) -> None:
        self.source = source
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.headers.update(headers or {})
        self.session.auth = auth
        self.session.verify = True
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.min_write_interval = min_write_interval
        self.min_request_interval = min_request_interval
        # (requests, seconds): never more than that many requests in any such window, as
        # PingCode's 200 requests per minute per identity asks.
        self.budget = budget
        self._recent: deque[float] = deque()
        self.stats = RequestStats()
        self._not_before = 0.0
        self._last_write = 0.0
        self._last_request = 0.0
        self._lock = threading.Lock()

    def close(self) -> None:
        self.session.close()

    def url(self, path_or_url: str) -> str:
        if path_or_url.startswith(("http://", "https://")):
            return path_or_url
        return f"{self.base_url}{path_or_url}"

    def full_url(self, path_or_url: str, params: Mapping[str, Any] | None = None) -> str:
        """The URL as sent, query included: the key validators are kept under."""
        url = self.url(path_or_url)
        return requests.Request("GET", url, params=params).prepare().url or url

    # -- one request, retried -------------------------------------------------------------

    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
        expect_json: bool = True,
        creates: bool = False,
    ) -> tuple[requests.Response, Any]:
        """Send one request, retrying transient failures and honouring rate-limit hints;
        returns the response and its decoded body (None for 204/304 or ``expect_json=False``).
        A request that ``creates`` something is retried only when refused (429): after a
        timeout, a dropped connection or a 5xx it may have landed, so the caller looks first."""
        url = self.url(path_or_url)
        retrying = Retrying(
            retry=retry_if_exception_type(RateLimited if creates else (Transient, RateLimited)),
            stop=self._should_stop,
            wait=self._wait_seconds,
            before_sleep=self._log_retry,
            sleep=pause,  # a stop ends a backoff or Retry-After wait at once
            reraise=True,
        )
        for attempt in retrying:
            with attempt:
                return self._send_once(method, url, params, json_body, headers, expect_json)
        raise AssertionError("unreachable")  # pragma: no cover

    def get_json(self, path_or_url: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.request("GET", path_or_url, params=params)[1]

    def _send_once(
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | None,
        json_body: Any,
        headers: Mapping[str, str] | None,
        expect_json: bool,
    ) -> tuple[requests.Response, Any]:
        check_interrupted()
        self._pace(method)
        started = time.monotonic()
        try:
            response = self.session.request(
                method, url, params=params, json=json_body, headers=headers, timeout=self.timeout
            )
        except requests.RequestException as exc:
            # a body cut mid-transfer (ChunkedEncodingError) is as transient as a reset
            self.stats.requests += 1
            message, retry, kind, facts = describe_unreachable(exc, url)
            error = Transient if retry else TrackerError
            raise error(
                message, source=self.source, url=redact_url(url), kind=kind, facts=facts
            ) from None
        finally:
            self._last_request = time.monotonic()
        self.stats.requests += 1
        if method in WRITE_METHODS:
            self.stats.writes += 1
            self._last_write = time.monotonic()
        log.debug(
            "%s %s %s -> %s (%.0f ms)",
            self.source,
            method,
            redact_url(response.url),
            response.status_code,
            (time.monotonic() - started) * 1000,
        )
        self._note_rate_limit(response)
        if response.status_code == 304:
            self.stats.not_modified += 1
            return response, None
        if response.status_code >= 400:
            raise from_response(response, self.source)
        if not expect_json or response.status_code == 204 or not response.content:
            return response, None
        try:
            return response, clean_json(response.json(), response.content)
        except ValueError:
            raise Transient(
                "the tracker sent a malformed JSON body",
                kind="bad_json",
                facts={},
                source=self.source,
                status=response.status_code,
                url=redact_url(response.url),
            ) from None

    # -- pacing -------------------------------------------------------------------------------

    def _pace(self, method: str) -> None:
        """Wait out an exhausted rate limit and the minimum spacing of requests and writes."""
        with self._lock:
            now = time.monotonic()
            wait = self._not_before - time.time()
            if wait > self.retry.max_wait:
                raise RateLimited(
                    f"rate limit exhausted; it resets in {wait:.0f} s",
                    kind="rate_limit_wait",
                    facts={"seconds": f"{wait:.0f}"},
                    retry_after=wait,
                    source=self.source,
                )
            if self.min_request_interval:
                wait = max(wait, self._last_request + self.min_request_interval - now)
            if method in WRITE_METHODS and self.min_write_interval:
                wait = max(wait, self._last_write + self.min_write_interval - now)
            if self.budget:
                limit, window = self.budget
                while self._recent and self._recent[0] <= now - window:
                    self._recent.popleft()
                if len(self._recent) >= limit:
                    wait = max(wait, self._recent[0] + window - now)
            if wait > 0:
                self.stats.paced_seconds += wait
                pause(wait)
            if self.budget:
                self._recent.append(time.monotonic())

    def _note_rate_limit(self, response: requests.Response) -> None:
        """A 200 with ``x-ratelimit-remaining: 0`` means the next request would be refused:
        hold every request until ``x-ratelimit-reset``, as GitHub asks."""
        if response.headers.get("x-ratelimit-remaining") == "0":
            reset = response.headers.get("x-ratelimit-reset", "")
            if reset.isdigit():
                self._not_before = max(self._not_before, float(reset) + 1)

    # -- tenacity hooks -------------------------------------------------------------------------

    def _wait_seconds(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, RateLimited):
            if exc.retry_after is not None:
                return exc.retry_after  # exactly what the tracker asked, never less
            return self.retry.unhinted_rate_limit_wait
        ceiling = min(self.retry.backoff_max, self.retry.backoff * 2 ** (state.attempt_number - 1))
        return random.uniform(self.retry.backoff / 2, max(ceiling, self.retry.backoff / 2))

    def _should_stop(self, state: RetryCallState) -> bool:
        if stop_after_attempt(self.retry.attempts)(state):
            return True
        exc = state.outcome.exception() if state.outcome else None
        return (
            isinstance(exc, RateLimited)
            and exc.retry_after is not None
            and exc.retry_after > self.retry.max_wait
        )

    def _log_retry(self, state: RetryCallState) -> None:
        self.stats.retries += 1
        exc = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0
        log.info("%s: retrying in %.1f s after %s", self.source, wait, exc)

    # -- paging ---------------------------------------------------------------------------------

    def iter_link_pages(
        self,
        path_or_url: str,
        params: Mapping[str, Any] | None = None,
        etags: EtagCache | None = None,
    ) -> Iterator[Page]:
        """Follow ``Link: rel="next"`` from the first page to the last, never building page
        URLs ourselves. With an ``etags`` cache each page is a conditional GET."""
        url: str | None = self.url(path_or_url)
        while url:
            page = self.get_page(url, params, etags)
            yield page
            url, params = page.next_url, None

    def get_conditional(
        self, url: str, params: Mapping[str, Any] | None, etags: EtagCache | None
    ) -> tuple[str, requests.Response, Any, dict[str, Any] | None]:
        """A GET that sends the stored validator: returns the full URL, the response, the body
        (None on 304) and the cache entry the 304 refers to."""
        full_url = self.full_url(url, params)
        cached = etags.get(full_url) if etags else None
        headers = {"If-None-Match": cached["etag"]} if cached else None
        response, data = self.request("GET", full_url, headers=headers)
        if response.status_code == 304 and cached is not None and etags is not None:
            etags.touched.add(full_url)
            return full_url, response, None, cached
        return full_url, response, data, None

    def get_page(self, url: str, params: Mapping[str, Any] | None, etags: EtagCache | None) -> Page:
        full_url, response, data, cached = self.get_conditional(url, params, etags)
        if cached is not None:
            if cached.get("next") or not _may_continue(full_url, cached):
                return Page(full_url, [], cached.get("next"), True, response.headers)
            # A full last page answered 304: its items are the same, but a new item may sit
            # on a page the cache never saw, and a 304 carries no Link. Ask again, plainly.
            response, data = self.request("GET", full_url)
        if not isinstance(data, list):
            raise TrackerError(
                "expected a JSON array from a list endpoint",
                kind="not_a_list",
                facts={},
                source=self.source,
                status=response.status_code,
                url=redact_url(full_url),
            )
        next_url = response.links.get("next", {}).get("url")
        if etags is not None and response.headers.get("ETag"):
            etags.put(full_url, response.headers["ETag"], next_url, count=len(data))
        return Page(full_url, data, next_url, False, response.headers)


def _may_continue(full_url: str, cached: Mapping[str, Any]) -> bool:
    """Whether the page after a cached last page could exist now: it was full (as many items
    as ``per_page`` asks, or its size is unknown)."""
    count = cached.get("count")
    if count is None:
        return True
    per_page = parse_qs(urlsplit(full_url).query).get("per_page")
    return count > 0 and (not per_page or not per_page[0].isdigit() or count >= int(per_page[0]))
