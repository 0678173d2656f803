"""A DingTalk custom robot webhook: ``POST /robot/send?access_token=T&timestamp=MS&sign=S``,
``sign`` = URL-encoded base64 HMAC-SHA256 of ``"{timestamp}\\n{secret}"`` keyed with the secret,
the timestamp within an hour; 20 messages a minute; errors as DingTalk answers them (HTTP 200,
``errcode`` not 0): 310000 sign, 300001 unknown token, 130101 too fast, 40035 bad body."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from sandbox.chat.base import ChatReceiver
from sandbox.server import Request, Response


def _error(code: int, msg: str) -> Response:
    return Response(200, {"errcode": code, "errmsg": msg})


class DingTalkReceiver(ChatReceiver):
    name = "dingtalk"
    rates = ((20, 60),)
    max_body = 20_000

    def __init__(self, token: str, secret: str | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.token, self.secret = token, secret

    @property
    def webhook_url(self) -> str:
        return f"{self.root_url}/robot/send?access_token={self.token}"

    def check(self, request: Request) -> Response | None:
        if request.path != "/robot/send" or request.query.get("access_token") != self.token:
            return _error(300001, "token is not exist")
        if self.secret and not self._signed(request.query):
            return _error(
                310000,
                "sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]",
            )
        body = request.body
        if self.body_size(request) > self.max_body or not isinstance(body, dict):
            return _error(40035, "缺少参数 json")
        if body.get("msgtype") not in ("text", "link", "markdown", "actionCard", "feedCard"):
            return _error(40035, "缺少参数 msgtype")
        return None

    def _signed(self, query: dict[str, str]) -> bool:
        try:
            timestamp = int(query.get("timestamp", ""))
        except ValueError:
            return False
        if abs(time.time() * 1000 - timestamp) > 3_600_000:
            return False
        digest = hmac.new(
            self.secret.encode(), f"{timestamp}\n{self.secret}".encode(), hashlib.sha256
        ).digest()
        # the sandbox's query parsing has already URL-decoded the sign once
        return hmac.compare_digest(base64.b64encode(digest).decode(), query.get("sign", ""))

    def accepted(self) -> Response:
        return _error(0, "ok")

    def rate_limited(self) -> Response:
        return _error(130101, "send too fast, exceed 20 times per minute")

    def texts(self) -> list[str]:
        return [m.body.get("markdown", {}).get("text", "") for m in self.received]
