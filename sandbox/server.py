"""The machinery all sandbox trackers share: a threaded stdlib HTTP server on loopback that
records every request and injects faults at a seeded rate.

Each tracker subclass implements ``route()``; faults, latency, the request log, ETags and JSON
encoding live here, so every sandbox misbehaves the same realistic ways.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import socket
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

FAULT_KINDS = ("429", "502", "drop", "slow", "malformed", "insert")
# "late" (not drawn at random, ask for it): the request is served, stored, and only answered
# after ``slow_seconds``, past a client's timeout: the write landed, its answer did not.
# asked for by name only (the campaigns' seeded picks stay as they were): "truncated", a body
# cut mid-transfer


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]  # one value per name: the last, for scalar parameters
    headers: dict[str, str]
    body: Any
    params: dict[str, list[str]] = field(default_factory=dict)  # every value, repeats kept

    def listed(self, name: str) -> list[str]:
        """A list-valued parameter: every repeat, each comma-separated (``a,b&name=c``)."""
        return [part for value in self.params.get(name, []) for part in value.split(",") if part]


@dataclass
class Response:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    etag: bool = False  # compute a weak ETag from the body and honour If-None-Match


@dataclass
class LoggedRequest:
    method: str
    path: str
    query: dict[str, str]
    status: int
    fault: str | None
    conditional: bool
    returned: int | None = None  # objects in a list answer
    at: float = 0.0
    params: dict[str, list[str]] = field(default_factory=dict)  # every value, repeats kept


@dataclass
class FaultPlan:
    """Which requests fail, and how. Only GETs by default: a lost write is a test of its own."""

    rate: float = 0.0
    kinds: Collection[str] = FAULT_KINDS
    seed: int = 0
    methods: Collection[str] = ("GET",)
    retry_after: int = 0
    slow_seconds: float = 0.2
    paths: str = ""  # when set, only requests whose path contains it are chosen

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)
        self._lock = threading.Lock()

    def pick(self, method: str) -> str | None:
        if not self.rate or method not in self.methods:
            return None
        with self._lock:
            if self._random.random() >= self.rate:
                return None
            return self._random.choice(list(self.kinds))


class SandboxServer:
    """Start with ``start()`` (or ``with``); ``base_url`` is then the tracker's root."""

    name = "sandbox"

    def __init__(self, *, faults: FaultPlan | None = None, latency: float = 0.0) -> None:
        self.faults = faults or FaultPlan()
        self.latency = latency
        self.log: list[LoggedRequest] = []
        self.state_lock = threading.RLock()
        self._cached: dict[tuple[Any, ...], Any] = {}  # emptied by every change (``cached``)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._called = threading.local()  # the root URL the current request was sent to

    def changed(self) -> None:
        self._cached.clear()

    def cached(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        """A list's order (a search result, counts) until the data next changes: paging
        through 100k items must not filter and sort them all again for every page, as a real
        tracker's indexes do not. Every method that changes the data calls ``changed``."""
        if key not in self._cached:
            self._cached[key] = compute()
        return self._cached[key]

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> SandboxServer:
        handler = _make_handler(self)
        self._server = QuietServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"{self.name}-sandbox",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def root_url(self) -> str:
        assert self._server, "sandbox not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def called_root(self) -> str:
        """The root URL as the client called it (its ``Host`` header): resource URLs in
        payloads point there, as a real tracker's do, so a client that follows them (or checks
        their host, as PyGithub does) stays on the same server."""
        root = getattr(self._called, "root", None)
        if root:
            return root
        return self.root_url if self._server else "http://127.0.0.1"

    # -- request log ----------------------------------------------------------------------------

    # paths of reads a tracker takes as POST (a search with a body), never writes
    reads_sent_as_post: tuple[str, ...] = ()

    def writes_made(self) -> list[LoggedRequest]:
        return [
            r
            for r in list(self.log)
            if r.method in ("POST", "PUT", "PATCH", "DELETE")
            and not (r.method == "POST" and r.path.endswith(self.reads_sent_as_post))
        ]

    def clear_log(self) -> None:
        self.log.clear()

    # -- for subclasses -------------------------------------------------------------------------

    def route(self, request: Request) -> Response:  # pragma: no cover - abstract
        raise NotImplementedError

    def on_insert_fault(self, request: Request) -> None:
        """Called before serving a request chosen for the ``insert`` fault: change the data
        between two pages, as a busy team would."""

    def counts_against_limit(self, request: Request, response: Response) -> None:
        """Hook for rate-limit bookkeeping after a response is decided."""

    def fault_response(self, fault: str) -> Response:
        """The injected 429 or 5xx, in this tracker's own words."""
        if fault == "429":
            return Response(
                429, {"message": "Too many requests"}, {"Retry-After": str(self.faults.retry_after)}
            )
        html = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
        return Response(502, html, {"Content-Type": "text/html"})


class QuietServer(ThreadingHTTPServer):
    """A client that hangs up (killed mid-request in a crash test) is not the server's error."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def match_route(
    routes: list[tuple[str, str, str]], method: str, path: str
) -> tuple[str, dict[str, str]] | None:
    """The first (method, path pattern, handler name) route matching, with its path parameters."""
    for route_method, pattern, handler in routes:
        match = re.fullmatch(pattern, path)
        if match and route_method == method:
            return handler, match.groupdict()
    return None


def weak_etag(payload: bytes) -> str:
    return 'W/"' + hashlib.sha1(payload, usedforsecurity=False).hexdigest() + '"'


def _make_handler(sandbox: SandboxServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = f"{sandbox.name}-sandbox"
        # Headers and body go out in two writes; with Nagle on, a keep-alive client's delayed
        # ACK stalls every response by ~40 ms, which would distort every measured wall time.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            params = parse_qs(parts.query, keep_blank_values=True)
            query = {k: v[-1] for k, v in params.items()}
            host = self.headers.get("Host")
            sandbox._called.root = f"http://{host}" if host else sandbox.root_url
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode("utf-8", "replace")
            headers = {k.lower(): v for k, v in self.headers.items()}
            request = Request(self.command, parts.path, query, headers, body, params)
            if sandbox.latency:
                time.sleep(sandbox.latency)
            fault = sandbox.faults.pick(self.command)
            if fault and getattr(sandbox.faults, "paths", "") not in parts.path:
                fault = None  # the plan names the requests it faults (``paths``)
            if fault == "drop":
                sandbox.log.append(
                    LoggedRequest(
                        self.command,
                        parts.path,
                        query,
                        0,
                        fault,
                        False,
                        None,
                        time.time(),
                        params,
                    )
                )
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return
            if fault == "slow":
                time.sleep(sandbox.faults.slow_seconds)
            if fault == "insert":
                with sandbox.state_lock:
                    sandbox.on_insert_fault(request)
            if fault in ("429", "502"):
                response = sandbox.fault_response(fault)
            else:
                with sandbox.state_lock:
                    response = sandbox.route(request)
            if fault == "late":
                time.sleep(sandbox.faults.slow_seconds)  # stored; the answer comes too late
            self._send(request, response, fault)

        def _send(self, request: Request, response: Response, fault: str | None) -> None:
            payload = b""
            if response.body is not None:
                if isinstance(response.body, bytes):
                    payload = response.body
                else:
                    payload = json_bytes(response.body)
            status = response.status
            headers = dict(response.headers)
            conditional = "if-none-match" in request.headers
            if response.etag and status == 200:
                tag = weak_etag(payload)
                headers["ETag"] = tag
                if request.headers.get("if-none-match") == tag:
                    status, payload = 304, b""
            sandbox.counts_against_limit(request, Response(status, None, headers))
            if fault == "malformed" and status == 200 and payload:
                payload = payload[: max(1, len(payload) // 2)]
            returned = len(response.body) if isinstance(response.body, list) else None
            sandbox.log.append(
                LoggedRequest(
                    request.method,
                    request.path,
                    request.query,
                    status,
                    fault,
                    conditional,
                    returned if status == 200 else None,
                    time.time(),
                    request.params,
                )
            )
            self.send_response(status)
            if payload and "Content-Type" not in headers:
                headers["Content-Type"] = "application/json; charset=utf-8"
            for key, value in headers.items():
                if key.lower() != "date":  # send_response has written the one Date header
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if fault == "truncated" and len(payload) > 1:
                # the connection drops mid-body: the client holds part of a promised length
                self.wfile.write(payload[: len(payload) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            if payload and request.method != "HEAD":
                self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    return Handler


def json_bytes(body: Any) -> bytes:
    """UTF-8 JSON; text that is not encodable (a lone surrogate, as a tracker's damaged body
    holds) goes out as the ``\\ud800`` escape a real tracker sends."""
    try:
        return json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(body).encode("ascii")
