"""Every word the service's comment, its resolved note and the run report show, in English
and Chinese. The two catalogues have the same keys (a test holds them to it). Chinese uses
full-width punctuation; values quoted from a tracker or the configuration are put in “…” by the
code that fills the templates, never translated."""

from __future__ import annotations

CATALOGUE: dict[str, dict[str, str]] = {
    "en": {
        "title": "tracker-sync findings",
        "intro": "Automated check of this item against what was agreed with the client.",
        "heading": "{rule} ({severity})",
        "severity_high": "high",
        "severity_warning": "warning",
        "severity_info": "info",
        "rule_unconfirmed_requirement": "Unconfirmed requirement",
        "rule_undocumented_change": "Undocumented scope change",
        "rule_slipping_milestone": "Slipping milestone",
        "why_started": "Work on this requirement started on {date}, but the client has not"
        " confirmed it.",
        "why_waiting": "This requirement has been open since {date} and the client has not"
        " confirmed it within {days} days.",
        "why_voided": "Its confirmation came before a scope change nobody documented ({date}),"
        " so it no longer counts.",
        "open_since": "open since {date}",
        "started_self": "its status showed work in progress from {date}",
        "started_items": "work started on a linked or child item: {items}",
        "why_undocumented": "The scope of this item changed after it was confirmed or work"
        " started ({date}), and no change request documents the change.",
        "change": "{field} changed from {old} to {new} by {who} on {date}",
        "change_unknown": "{field} changed from {old} to {new}, first seen on {date} (the"
        " tracker does not record who makes this kind of edit)",
        "empty": "(empty)",
        "field_title": "title",
        "field_description": "description",
        "field_acceptance": "acceptance criteria",
        "field_estimate": "estimate",
        "field_due_date": "due date",
        "field_milestone": "milestone",
        "field_labels": "labels",
        "field_priority": "priority",
        "why_slipping": "The milestone {title} (due {due}) is at risk:",
        "why_slipping_undated": "The milestone {title} is at risk:",
        "reason_overdue": "due {due} — overdue, with {open} of {total} items still open",
        "reason_forecast": "at the pace of the last {days} days it finishes by {p50} at P50"
        " (an even chance) and by {p85} at P85 (85 in 100 simulated futures finish by then),"
        " after its due date {due}",
        "reason_behind": "{done} of {total} items done, fewer than the time since its start"
        " ({start}) calls for",
        "reason_moved": "due date moved from {old} to {new}",
        "fix_unconfirmed_requirement": "To resolve: have the client confirm it — {means}.",
        "means_labels": "the label {values}",
        "means_statuses": "the status {values}",
        "means_field": "the field {values} set",
        "means_comment": "a comment by {accounts} containing {phrases}",
        "means_comment_any": "a comment by a client account containing {phrases}",
        "fix_undocumented_change": "To resolve: link a change request (an item of type"
        " {types} or labelled {labels}), explain the change in a comment containing {phrases},"
        " or add the label {documented}.",
        "fix_slipping_milestone": "To resolve: re-plan the milestone with the client, or move"
        " open work out of it.",
        "after": "after {date}",
        "or": " or ",
        "means_sep": "; or ",
        "sep": ", ",
        "quote": "“{}”",
        "ack": "To acknowledge these findings, reply with a comment whose first line is"
        " “/tracker-sync ack [Nd] [reason]” (N days, {days} by default).",
        "resolved": "All tracker-sync findings on this item are resolved.",
        "truncated": "(…{n} more not shown: the comment reached the tracker's size limit.)",
        "footer": "Written by tracker-sync; edited on each run, never duplicated.",
    },
    "zh": {
        "title": "tracker-sync 检查结果",
        "intro": "根据与客户的约定对本事项的自动检查。",
        "heading": "{rule}（{severity}）",
        "severity_high": "高",
        "severity_warning": "警告",
        "severity_info": "提示",
        "rule_unconfirmed_requirement": "需求未经客户确认",
        "rule_undocumented_change": "范围变更未记录",
        "rule_slipping_milestone": "里程碑延期风险",
        "why_started": "本需求已于 {date} 开始开发，但客户尚未确认。",
        "why_waiting": "本需求自 {date} 创建以来，客户在 {days} 天内未确认。",
        "why_voided": "原有的确认早于一次未记录的范围变更（{date}），因此不再有效。",
        "open_since": "创建于 {date}",
        "started_self": "状态自 {date} 起显示为进行中",
        "started_items": "关联事项或子事项已开始：{items}",
        "why_undocumented": "本事项在确认或开始开发（{date}）之后范围发生变化，且没有变更申请记录。",
        "change": "{who}于 {date} 将{field}从{old}改为{new}",
        "change_unknown": "{field}从{old}改为{new}，于 {date} 首次发现（该系统不记录此类编辑的操作人）",
        "empty": "（空）",
        "field_title": "标题",
        "field_description": "描述",
        "field_acceptance": "验收标准",
        "field_estimate": "估算",
        "field_due_date": "截止日期",
        "field_milestone": "里程碑",
        "field_labels": "标签",
        "field_priority": "优先级",
        "why_slipping": "里程碑{title}（截止日期 {due}）存在延期风险：",
        "why_slipping_undated": "里程碑{title}存在延期风险：",
        "reason_overdue": "截止日期 {due}，已逾期，{total} 个事项中仍有 {open} 个未完成",
        "reason_forecast": "按最近 {days} 天的速度，P50 完成日期为 {p50}（一半可能），"
        "P85 完成日期为 {p85}（100 次模拟中有 85 次在此前完成），晚于截止日期 {due}",
        "reason_behind": "{total} 个事项中已完成 {done} 个，少于自开始日期（{start}）以来的时间进度",
        "reason_moved": "截止日期从 {old} 改为 {new}",
        "fix_unconfirmed_requirement": "解决方法：请客户确认——{means}。",
        "means_labels": "添加标签{values}",
        "means_statuses": "将状态设为{values}",
        "means_field": "填写字段{values}",
        "means_comment": "由{accounts}发表包含{phrases}的评论",
        "means_comment_any": "由客户账号发表包含{phrases}的评论",
        "fix_undocumented_change": "解决方法：关联变更申请（类型为{types}或带有标签{labels}"
        "的事项），或在评论中说明变更并包含{phrases}，或添加标签{documented}。",
        "fix_slipping_milestone": "解决方法：与客户重新规划里程碑，或将未完成的工作移出。",
        "after": "{date} 之后",
        "or": "或",
        "means_sep": "；或",
        "sep": "、",
        "quote": "“{}”",
        "ack": "如需确认知悉这些问题，请回复一条首行为“/tracker-sync ack [Nd] [原因]”的评论"
        "（N 为天数，默认 {days} 天）。",
        "resolved": "本事项的 tracker-sync 检查问题均已解决。",
        "truncated": "（……另有 {n} 条未显示：评论已达到长度上限。）",
        "footer": "由 tracker-sync 生成；每次运行时更新，不会重复发布。",
    },
}
