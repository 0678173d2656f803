"""A Feishu / Lark custom bot webhook: ``POST /open-apis/bot/v2/hook/{token}``, signature in the
JSON body (``timestamp`` seconds within an hour, ``sign`` = base64 HMAC-SHA256 keyed with
``"{timestamp}\\n{secret}"`` over nothing), a 20 KB body, 100 a minute and 5 a second; errors as
Feishu answers them (HTTP 200, ``code`` not 0): 19021 sign, 19001 unknown token, 9499 bad
request, 11232 frequency limited."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from sandbox.chat.base import ChatReceiver
from sandbox.server import Request, Response

SIGN_FAIL = {
    "code": 19021,
    "data": {},
    "msg": "sign match fail or timestamp is not within one hour from current time",
}


def _error(code: int, msg: str) -> Response:
    return Response(200, {"code": code, "data": {}, "msg": msg})


class FeishuReceiver(ChatReceiver):
    name = "feishu"
    rates = ((5, 1), (100, 60))
    max_body = 20 * 1024

    def __init__(self, token: str, secret: str | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.token, self.secret = token, secret

    @property
    def webhook_url(self) -> str:
        return f"{self.root_url}/open-apis/bot/v2/hook/{self.token}"

    def check(self, request: Request) -> Response | None:
        if request.method != "POST" or request.path != f"/open-apis/bot/v2/hook/{self.token}":
            return _error(19001, "param invalid: incoming webhook access token invalid")
        if self.body_size(request) > self.max_body or not isinstance(request.body, dict):
            return _error(9499, "Bad Request")
        if self.secret and not self._signed(request.body):
            return Response(200, SIGN_FAIL)
        if request.body.get("msg_type") not in (
            "text",
            "post",
            "image",
            "share_chat",
            "interactive",
        ):
            return _error(19002, "params error, msg_type need")
        return None

    def _signed(self, body: dict) -> bool:
        try:
            timestamp = int(body.get("timestamp", ""))
        except ValueError:
            return False
        if abs(time.time() - timestamp) > 3600:
            return False
        key = f"{timestamp}\n{self.secret}".encode()
        expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
        return hmac.compare_digest(expected, str(body.get("sign", "")))

    def accepted(self) -> Response:
        return Response(
            200,
            {"StatusCode": 0, "StatusMessage": "success", "code": 0, "data": {}, "msg": "success"},
        )

    def rate_limited(self) -> Response:
        return _error(11232, "frequency limited psm[lark.oapi.app_platform_runtime]appID[1]")

    def texts(self) -> list[str]:
        out = []
        for message in self.received:
            card = message.body.get("card", {})
            title = card.get("header", {}).get("title", {}).get("content", "")
            parts = [e.get("text", {}).get("content", "") for e in card.get("elements", [])]
            out.append("\n".join([title, *parts]))
        return out
