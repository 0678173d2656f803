"""The demo's team chats: a Feishu, DingTalk, WeCom and Slack receiver on loopback, the
``[[notify]]`` channels pointing at them (webhook URLs and signing secrets through the
environment, as in production), and the digests as the team reads them."""

from __future__ import annotations

from typing import Any

from sandbox.chat import DingTalkReceiver, FeishuReceiver, SlackReceiver, WeComReceiver
from sandbox.chat.base import ChatReceiver

CHAT_SECRETS = {
    "feishu_token": "demo-feishu-hook-token",
    "feishu_secret": "demo-feishu-signing-secret",
    "dingtalk_token": "demo-dingtalk-access-token",
    "dingtalk_secret": "SECdemo-dingtalk-signing-secret",
    "wecom_key": "demo-wecom-robot-key",
    "slack_path": "/services/TDEMO/BDEMO/demo-slack-hook-secret",
}


def start_demo_chats() -> dict[str, ChatReceiver]:
    s = CHAT_SECRETS
    chats: dict[str, ChatReceiver] = {
        "feishu": FeishuReceiver(s["feishu_token"], s["feishu_secret"]),
        "dingtalk": DingTalkReceiver(s["dingtalk_token"], s["dingtalk_secret"]),
        "wecom": WeComReceiver(s["wecom_key"]),
        "slack": SlackReceiver(s["slack_path"]),
    }
    for chat in chats.values():
        chat.start()
    return chats


def chat_environment(chats: dict[str, ChatReceiver]) -> dict[str, str]:
    env = {f"TRACKER_SYNC_DEMO_{n.upper()}_WEBHOOK": c.webhook_url for n, c in chats.items()}
    env["TRACKER_SYNC_DEMO_FEISHU_SECRET"] = CHAT_SECRETS["feishu_secret"]
    env["TRACKER_SYNC_DEMO_DINGTALK_SECRET"] = CHAT_SECRETS["dingtalk_secret"]
    return env


def chat_channels() -> list[dict[str, Any]]:
    channels = []
    for kind in ("feishu", "dingtalk", "wecom", "slack"):
        channel = {"kind": kind, "webhook_env": f"TRACKER_SYNC_DEMO_{kind.upper()}_WEBHOOK"}
        if kind in ("feishu", "dingtalk"):
            channel["secret_env"] = f"TRACKER_SYNC_DEMO_{kind.upper()}_SECRET"
        channel["language"] = "zh" if kind in ("dingtalk", "wecom") else "en"
        channel["on"] = ["new_high"]  # "daily" would depend on the hour the demo is run
        channels.append(channel)
    return channels


def chats_as_seen(chats: dict[str, ChatReceiver]) -> str:
    """Each digest a chat accepted, as its members read it."""
    lines = ["", "=" * 78, "The chat digests, as each team chat shows them", "=" * 78]
    for name, chat in chats.items():
        for text in chat.texts():
            lines += ["", f"--- {name}", *("  " + line for line in text.strip().splitlines())]
    return "\n".join(lines)
