"""WeCom (企业微信) group robot ("群机器人"): a Markdown message posted to the webhook URL,
whose ``key`` query parameter is the robot's credential (so the URL is a secret).

Contract, from WeCom's group robot guide (https://developer.work.weixin.qq.com/document/path/
91770) and its global error codes (https://developer.work.weixin.qq.com/document/path/90313):
- ``{"msgtype": "markdown", "markdown": {"content": ...}}``, content at most 4,096 bytes
  (UTF-8);
- ``errcode`` 0 on success; 93000 for an invalid webhook key; 45009 when the robot sent more
  than 20 messages a minute;
- no signature: the key is the only credential.
"""

from __future__ import annotations

from typing import Any

from sync.notify.digest import Digest, fit
from sync.notify.platform import Answer, Outcome, errcode_outcome

KIND = "wecom"
RATES = ((20, 60),)
MAX_CONTENT_BYTES = 4096
RATE_LIMITED = 45009


def _link(text: str, url: str | None) -> str:
    return f"[{text}]({url})" if url else text


def _markdown(digest: Digest, shown: int) -> dict[str, Any]:
    lines = digest.lines(shown, _link)
    content = "\n".join([f"## {lines[0]}", *lines[1:]])
    return {"msgtype": "markdown", "markdown": {"content": content}}


def render(digest: Digest) -> dict[str, Any]:
    return fit(
        lambda shown: _markdown(digest, shown),
        digest.size,
        lambda body: len(body["markdown"]["content"].encode("utf-8")) <= MAX_CONTENT_BYTES,
    )


def signed(
    webhook: str, secret: str | None, body: dict[str, Any], now: float
) -> tuple[str, dict[str, Any]]:
    return webhook, body


def outcome(answer: Answer) -> Outcome:
    return errcode_outcome(answer, "WeCom", RATE_LIMITED)
