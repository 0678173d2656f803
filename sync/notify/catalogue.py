"""The words of a chat digest, in each channel's language. The en and zh catalogues have the
same keys (a test says so); zh uses full-width punctuation, as Chinese readers expect."""

from __future__ import annotations

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title.new_high": "tracker-sync: new high findings",
        "title.daily": "tracker-sync: daily digest",
        "counts": "{opened} opened, {reopened} reopened, {resolved} resolved",
        "change.opened": "opened",
        "change.reopened": "reopened",
        "change.resolved": "resolved",
        "severity.high": "HIGH",
        "severity.warning": "warning",
        "severity.info": "info",
        "group": "{milestone} ({source})",
        "no_milestone": "No milestone",
        "verdict": " — verdict: {verdict}",
        "verdict.done": "done",
        "verdict.off_track": "off track",
        "verdict.at_risk": "at risk",
        "verdict.no_date": "no date",
        "verdict.on_track": "on track",
        "entry": "{change} [{severity}] {subject}: {summary}",
        "more": "… and {n} more",
    },
    "zh": {
        "title.new_high": "tracker-sync：新的高风险发现",
        "title.daily": "tracker-sync：每日摘要",
        "counts": "新增 {opened} 项，重新打开 {reopened} 项，已解决 {resolved} 项",
        "change.opened": "新增",
        "change.reopened": "重新打开",
        "change.resolved": "已解决",
        "severity.high": "高",
        "severity.warning": "警告",
        "severity.info": "提示",
        "group": "{milestone}（{source}）",
        "no_milestone": "无里程碑",
        "verdict": "，结论：{verdict}",
        "verdict.done": "已完成",
        "verdict.off_track": "偏离计划",
        "verdict.at_risk": "有风险",
        "verdict.no_date": "无截止日期",
        "verdict.on_track": "按计划",
        "entry": "{change}【{severity}】{subject}：{summary}",
        "more": "……另有 {n} 项",
    },
}


def say(language: str, key: str, **values: object) -> str:
    """One string of the catalogue, filled in; English where the language lacks it."""
    template = TEXT.get(language, TEXT["en"]).get(key) or TEXT["en"][key]
    return template.format(**values)
