"""Chat receivers: local Feishu, DingTalk, WeCom and Slack webhooks that check signatures,
sizes and rate limits as the platforms do, answer with their error bodies, and record what
they accept."""

from sandbox.chat.dingtalk import DingTalkReceiver
from sandbox.chat.feishu import FeishuReceiver
from sandbox.chat.slack import SlackReceiver
from sandbox.chat.wecom import WeComReceiver

__all__ = ["DingTalkReceiver", "FeishuReceiver", "SlackReceiver", "WeComReceiver"]
