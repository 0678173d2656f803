"""What the four chat receivers share: a webhook endpoint on the sandbox HTTP server that
records every message it accepts, and the sliding-window rate limit each platform applies per
bot. Each platform module checks its own credential, signature and size and answers in the
platform's own words."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from sandbox.server import Request, Response, SandboxServer


@dataclass
class Received:
    path: str
    query: dict[str, str]
    body: Any
    at: float


class ChatReceiver(SandboxServer):
    """``received`` holds the accepted messages; ``refused`` the answers of refused ones.
    ``rates`` are (messages, seconds) windows, checked as the platform checks them."""

    name = "chat"
    rates: tuple[tuple[int, float], ...] = ((20, 60),)

    def __init__(self, *, rates: tuple[tuple[int, float], ...] | None = None) -> None:
        super().__init__()
        if rates is not None:
            self.rates = rates
        self.received: list[Received] = []
        self.refused: list[Any] = []
        self._window: deque[float] = deque()

    def route(self, request: Request) -> Response:
        response = self.check(request)
        if response is None:
            if self._over_rate():
                response = self.rate_limited()
            else:
                self._window.append(time.time())
                self.received.append(
                    Received(request.path, dict(request.query), request.body, time.time())
                )
                return self.accepted()
        self.refused.append(response.body)
        return response

    def fill_rate_window(self) -> None:
        """As if the bot had just sent as many messages as its limit allows."""
        limit = max(count for count, _ in self.rates)
        self._window.extend([time.time()] * limit)

    def clear_rate_window(self) -> None:
        """As if the platform's window had passed."""
        self._window.clear()

    def _over_rate(self) -> bool:
        now = time.time()
        longest = max(seconds for _, seconds in self.rates)
        while self._window and self._window[0] <= now - longest:
            self._window.popleft()
        return any(
            sum(1 for at in self._window if at > now - seconds) >= count
            for count, seconds in self.rates
        )

    @staticmethod
    def body_size(request: Request) -> int:
        return int(request.headers.get("content-length") or 0)

    # -- for subclasses ------------------------------------------------------------------

    def check(self, request: Request) -> Response | None:  # pragma: no cover - abstract
        """The platform's refusal of this request, or None to accept it."""
        raise NotImplementedError

    def accepted(self) -> Response:  # pragma: no cover - abstract
        raise NotImplementedError

    def rate_limited(self) -> Response:  # pragma: no cover - abstract
        raise NotImplementedError

    def texts(self) -> list[str]:
        """The text of each accepted message, as a person reads it (for tests and the demo)."""
        raise NotImplementedError  # pragma: no cover - abstract
