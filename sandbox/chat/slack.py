"""A Slack incoming webhook: ``POST /services/T…/B…/X…``; the URL is the credential; at most
50 blocks and 3,000 characters a section text; about one message a second; errors as Slack
answers them, an HTTP status and a short text body: 404 ``no_service``, 400
``invalid_payload`` / ``invalid_blocks``, 429 ``rate_limited`` with ``Retry-After``."""

from __future__ import annotations

from sandbox.chat.base import ChatReceiver
from sandbox.server import Request, Response

TEXT = {"Content-Type": "text/plain; charset=utf-8"}


def _error(status: int, text: str, **headers: str) -> Response:
    return Response(status, text.encode(), {**TEXT, **headers})


class SlackReceiver(ChatReceiver):
    name = "slack"
    rates = ((4, 1), (60, 60))  # about one a second on average, short bursts allowed
    retry_after = 1

    def __init__(self, path: str = "/services/T000/B000/sandboxsecret", **kwargs) -> None:
        super().__init__(**kwargs)
        self.hook_path = path

    @property
    def webhook_url(self) -> str:
        return f"{self.root_url}{self.hook_path}"

    def check(self, request: Request) -> Response | None:
        if request.method != "POST" or request.path != self.hook_path:
            return _error(404, "no_service")
        body = request.body
        if not isinstance(body, dict) or not (body.get("text") or body.get("blocks")):
            return _error(400, "invalid_payload")
        blocks = body.get("blocks") or []
        if len(blocks) > 50 or any(self._too_long(block) for block in blocks):
            return _error(400, "invalid_blocks")
        return None

    @staticmethod
    def _too_long(block: dict) -> bool:
        if block.get("type") == "section":
            return len((block.get("text") or {}).get("text", "")) > 3000
        if block.get("type") == "header":
            return len((block.get("text") or {}).get("text", "")) > 150
        return False

    def accepted(self) -> Response:
        return Response(200, b"ok", TEXT)

    def rate_limited(self) -> Response:
        return _error(429, "rate_limited", **{"Retry-After": str(self.retry_after)})

    def texts(self) -> list[str]:
        out = []
        for message in self.received:
            parts = []
            for block in message.body.get("blocks", []):
                if block.get("text"):
                    parts.append(block["text"].get("text", ""))
                for element in block.get("elements", []):
                    parts.append(element.get("text", ""))
            out.append("\n".join(parts))
        return out
