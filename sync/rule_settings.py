"""The ``[rules]`` configuration: one strict model per rule, thresholds with the defaults
DESIGN states, and the words every rule shares (client accounts, negations, ignore labels)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

RuleName = Literal[
    "unconfirmed_requirement",
    "undocumented_change",
    "slipping_milestone",
    "incomplete_requirement",
    "scope_creep",
    "unanswered_client",
]
NEGATIONS = [
    "not",
    "no",
    "never",
    "yet to",
    "pending",
    "awaiting",
    "未",
    "不",
    "没",
    "尚未",
    "还没",
    "待",
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def known_zone(value: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r}") from None
    return value


class UnconfirmedRequirementRule(Strict):
    enabled: bool = True
    confirmed_labels: list[str] = ["client-confirmed", "需求已确认"]
    confirmed_statuses: list[str] = ["Confirmed", "Approved", "已确认"]
    confirmed_field: str | None = None
    client_accounts: list[str] = []
    confirm_phrases: list[str] = ["confirmed", "approved", "确认"]
    grace_days: int = Field(7, ge=0)


class UndocumentedChangeRule(Strict):
    enabled: bool = True
    watched_fields: list[
        Literal["title", "description", "acceptance", "estimate", "due_date", "milestone"]
    ] = ["title", "description", "acceptance", "estimate", "due_date", "milestone"]
    change_request_types: list[str] = ["Change Request", "变更申请"]
    change_request_labels: list[str] = ["change-request"]
    comment_window_hours: float = Field(48, ge=0)
    change_phrases: list[str] = ["change request", "CR-", "变更"]
    documented_labels: list[str] = ["change-documented"]


class SlippingMilestoneRule(Strict):
    enabled: bool = True
    trials: int = Field(10000, ge=100)
    seed: int = 20261123
    history_days: int = Field(42, ge=1)
    confidence: float = Field(0.85, gt=0, lt=1)
    min_history_items: int = Field(5, ge=0)
    fallback_margin: float = Field(0.2, ge=0, le=1)
    tracking_title: str = "Milestone: {title}"
    tracking_label: str = "milestone-tracker"


class IncompleteRequirementRule(Strict):
    enabled: bool = True
    required: list[Literal["acceptance", "priority", "description", "estimate"]] = [
        "acceptance",
        "priority",
    ]
    acceptance_headings: list[str] = ["acceptance", "验收"]
    unset_priorities: list[str] = ["", "none", "无"]
    priority_labels: list[str] = ["P0", "P1", "P2", "P3", "P4", "priority:*", "优先级:*"]
    min_description_chars: int = Field(20, ge=0)
    grace_days: int = Field(3, ge=0)


class ScopeCreepRule(Strict):
    enabled: bool = True
    baseline_grace_days: int = Field(2, ge=0)
    threshold: float = Field(0.2, gt=0)


class UnansweredClientRule(Strict):
    enabled: bool = True
    reply_hours: float = Field(48, ge=0)
    high_after_hours: float = Field(120, ge=0)


class RulesSettings(Strict):
    client_accounts: list[str] = []
    ignore_labels: list[str] = ["tracker-sync:ignore", "不检查"]
    ack_days: int = Field(14, ge=1, le=90)
    ack_accounts: list[str] | None = None
    negations: list[str] = NEGATIONS
    unconfirmed_requirement: UnconfirmedRequirementRule = UnconfirmedRequirementRule()
    undocumented_change: UndocumentedChangeRule = UndocumentedChangeRule()
    slipping_milestone: SlippingMilestoneRule = SlippingMilestoneRule()
    incomplete_requirement: IncompleteRequirementRule = IncompleteRequirementRule()
    scope_creep: ScopeCreepRule = ScopeCreepRule()
    unanswered_client: UnansweredClientRule = UnansweredClientRule()

    @property
    def clients(self) -> list[str]:
        """The client accounts: ``[rules].client_accounts``, plus the older place,
        ``[rules.unconfirmed_requirement].client_accounts``, which still works."""
        return list(
            dict.fromkeys([*self.client_accounts, *self.unconfirmed_requirement.client_accounts])
        )
