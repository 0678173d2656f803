"""A WeCom (企业微信) group robot webhook: ``POST /cgi-bin/webhook/send?key=K``; the key is the
only credential; Markdown content up to 4,096 bytes; 20 messages a minute; errors as WeCom
answers them (HTTP 200, ``errcode`` not 0): 93000 invalid key, 40058 content too long,
45009 frequency limit, 40008 invalid message type."""

from __future__ import annotations

from sandbox.chat.base import ChatReceiver
from sandbox.server import Request, Response

HINT = ", hint: [1700000000_1_sandbox], from ip: 127.0.0.1, more info at https://open.work.weixin.qq.com/devtool/query?e={code}"


def _error(code: int, msg: str) -> Response:
    return Response(200, {"errcode": code, "errmsg": msg + HINT.format(code=code)})


class WeComReceiver(ChatReceiver):
    name = "wecom"
    rates = ((20, 60),)
    max_content = 4096

    def __init__(self, key: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.key = key

    @property
    def webhook_url(self) -> str:
        return f"{self.root_url}/cgi-bin/webhook/send?key={self.key}"

    def check(self, request: Request) -> Response | None:
        if request.path != "/cgi-bin/webhook/send" or request.query.get("key") != self.key:
            return _error(93000, "invalid webhook url")
        body = request.body if isinstance(request.body, dict) else {}
        kind = body.get("msgtype")
        if kind not in ("text", "markdown", "image", "news", "file", "template_card"):
            return _error(40008, "invalid message type")
        content = str((body.get(kind) or {}).get("content", ""))
        if kind == "markdown" and len(content.encode("utf-8")) > self.max_content:
            return _error(40058, "markdown.content exceed max length 4096")
        return None

    def accepted(self) -> Response:
        return Response(200, {"errcode": 0, "errmsg": "ok"})

    def rate_limited(self) -> Response:
        return _error(45009, "api freq out of limit")

    def texts(self) -> list[str]:
        return [m.body.get("markdown", {}).get("content", "") for m in self.received]
