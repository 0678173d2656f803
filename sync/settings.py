"""Configuration: a TOML file, overridden by ``TRACKER_SYNC_*`` environment variables, validated
strictly. Every problem becomes one line naming the key (``config: sources[acme-github].repo:
field required``), all of them at once, so the CLI can print them and exit 2. Secrets are
never read from the file: each source names the environment variables that hold them.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from sync.config_errors import env_name_lines, validation_lines
from sync.rule_settings import RuleName, RulesSettings, Strict, known_zone

SECRET_KEYS = frozenset(
    {"token", "api_token", "password", "secret", "client_secret", "client_id", "pat"}
)


class ConfigError(Exception):
    """A configuration problem, already phrased as the one line the user sees."""


class StoreSettings(Strict):
    path: str = "tracker-sync.db"


class DaemonSettings(Strict):
    interval_minutes: float = Field(15, gt=0)


class WritebackSettings(Strict):
    enabled: bool = True
    language: Literal["en", "zh"] = "en"
    on_resolved: Literal["update", "delete"] = "update"
    max_new_comments: int = Field(25, ge=0)
    mention: bool = False
    forecast_update_days: int = Field(7, ge=0)
    quiet_hours: str | None = Field(  # "HH:MM-HH:MM", 00:00 to 23:59 at each end
        None, pattern=r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$"
    )
    timezone: str = "UTC"

    _zone = field_validator("timezone")(lambda cls, value: known_zone(value))


class NotifySettings(Strict):
    """One chat channel: where a digest goes, when, in which language, about which sources.
    The webhook URL and the signing secret are secrets: only their variables' names are here."""

    name: str | None = Field(None, pattern=r"^[A-Za-z0-9_.-]+$")
    kind: Literal["feishu", "dingtalk", "wecom", "slack"]
    webhook_env: str
    secret_env: str | None = None
    on: list[Literal["new_high", "daily"]] = ["new_high", "daily"]
    daily_at: str = Field("09:00", pattern=r"^\d{2}:\d{2}$")
    timezone: str = "UTC"
    language: Literal["en", "zh"] = "en"
    sources: list[str] | None = None

    _zone = field_validator("timezone")(lambda cls, value: known_zone(value))

    @property
    def channel(self) -> str:
        return self.name or self.kind

    def secret_envs(self) -> dict[str, str]:
        envs = {"webhook_env": self.webhook_env}
        if self.secret_env:
            envs["secret_env"] = self.secret_env
        return envs


class SourceBase(Strict):
    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    base_url: str
    rules: list[RuleName] | None = None  # the rules that apply to this source; default all
    timeout_seconds: float = Field(30, gt=0)
    max_attempts: int = Field(8, ge=1, le=20)
    max_retry_wait_seconds: float = Field(900, ge=0)
    retry_backoff_seconds: float = Field(0.5, ge=0)
    overlap_seconds: int = Field(120, ge=0)

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("must start with https:// (or http:// for a local sandbox)")
        return value.rstrip("/")

    def connector_options(self) -> dict[str, Any]:
        """What this tracker's connector needs beyond the common options and the secrets:
        the settings model knows its own fields, so no caller copies them by hand."""
        return {}


class GitHubSource(SourceBase):
    kind: Literal["github"]
    base_url: str = "https://api.github.com"
    repo: str = Field(pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
    token_env: str
    requirement_labels: list[str] = ["requirement"]
    requirement_types: list[str] = ["Requirement", "Feature"]
    doing_labels: list[str] = ["in progress", "进行中"]
    min_write_interval_seconds: float = Field(1.0, ge=0)

    def secret_envs(self) -> dict[str, str]:
        return {"token_env": self.token_env}

    def connector_options(self) -> dict[str, Any]:
        return {"repo": self.repo, "min_write_interval": self.min_write_interval_seconds}


class JiraSource(SourceBase):
    kind: Literal["jira"]
    api_version: Literal[2, 3] = 3
    project: str
    email: str | None = None
    token_env: str
    requirement_types: list[str] = ["Story", "Epic", "Requirement"]
    jql_filter: str | None = None
    board_id: int | None = None
    story_points_field: str | None = None
    acceptance_field: str | None = None
    confirmed_field: str | None = None
    cancelled_resolutions: list[str] = [
        "Won't Do",
        "Won't Fix",
        "Duplicate",
        "Declined",
        "Cancelled",
    ]

    @model_validator(mode="after")
    def _auth_matches_deployment(self) -> JiraSource:
        if self.api_version == 3 and not self.email and "atlassian.net" in self.base_url:
            raise ValueError(
                "email is required for Jira Cloud (basic auth with an API token);"
                " leave it out only for a Data Center personal access token"
            )
        return self

    def secret_envs(self) -> dict[str, str]:
        return {"token_env": self.token_env}

    def connector_options(self) -> dict[str, Any]:
        return {"api_version": self.api_version, "project": self.project, "email": self.email}


class WorktileSource(SourceBase):
    kind: Literal["worktile"]
    base_url: str = "https://open.pingcode.com"
    api_prefix: str = "/v1/pjm"
    project: str
    client_id_env: str
    client_secret_env: str
    requirement_types: list[str] = ["requirement", "story", "feature"]
    bot_user_id: str | None = None
    requests_per_minute: int = Field(200, ge=1)
    rate_window_seconds: float = Field(60, gt=0)  # the budget is counted over this window
    timezone: str = "Asia/Shanghai"  # the tenant's zone: due dates are local dates
    work_items_segment: Literal["work_items", "workitems"] = "work_items"
    versions_segment: Literal["versions", "releases"] = "versions"

    _zone = field_validator("timezone")(lambda cls, value: known_zone(value))

    def secret_envs(self) -> dict[str, str]:
        return {"client_id_env": self.client_id_env, "client_secret_env": self.client_secret_env}

    def connector_options(self) -> dict[str, Any]:
        return {
            "api_prefix": self.api_prefix,
            "project": self.project,
            "requests_per_minute": self.requests_per_minute,
            "rate_window_seconds": self.rate_window_seconds,
            "work_items_segment": self.work_items_segment,
            "versions_segment": self.versions_segment,
        }


SourceSettings = Annotated[GitHubSource | JiraSource | WorktileSource, Field(discriminator="kind")]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TRACKER_SYNC_", env_nested_delimiter="__", extra="forbid", frozen=True
    )

    store: StoreSettings = StoreSettings()
    daemon: DaemonSettings = DaemonSettings()
    writeback: WritebackSettings = WritebackSettings()
    sources: list[SourceSettings] = []
    rules: RulesSettings = RulesSettings()
    notify: list[NotifySettings] = []

    @field_validator("notify")
    @classmethod
    def _unique_channels(cls, channels: list[NotifySettings]) -> list[NotifySettings]:
        names = [channel.channel for channel in channels]
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f"two notify channels are named {name!r}; give each a name")
        return channels

    @field_validator("sources")
    @classmethod
    def _unique_names(cls, sources: list[SourceSettings]) -> list[SourceSettings]:
        seen: set[str] = set()
        for source in sources:
            if source.name in seen:
                raise ValueError(f"two sources are named {source.name!r}")
            seen.add(source.name)
        return sources

    @classmethod
    def settings_customise_sources(
        cls, settings_cls, init_settings, env_settings, dotenv_settings, file_secret_settings
    ):
        """The environment overrides the file."""
        return (env_settings, init_settings)


def load_settings(path: str | os.PathLike[str] | None) -> Settings:
    """Read, check and validate the configuration; raise ConfigError with every problem, one
    per line."""
    data: dict[str, Any] = {}
    if path is not None:
        file = Path(path)
        try:
            with file.open("rb") as handle:
                data = tomllib.load(handle)
        except OSError as exc:
            raise ConfigError(f"config: cannot read {file}: {exc.strerror or exc}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config: {file}: {exc}") from None
    return build_settings(data)


def build_settings(data: dict[str, Any]) -> Settings:
    lines = env_name_lines(data, SECRET_KEYS)
    said = {line.split(": ")[1] for line in lines}  # the keys already explained
    try:
        settings = Settings(**data)
    except ValidationError as exc:
        lines += [
            line
            for line in validation_lines(exc, data, Settings, _BY_KIND)
            if line.split(": ")[1] not in said
        ]
    if lines:
        raise ConfigError("\n".join(lines))
    return settings


_BY_KIND: dict[str, type] = {
    kind: model
    for model in get_args(get_args(SourceSettings)[0])
    for kind in get_args(model.model_fields["kind"].annotation)
}


def require_sources(settings: Settings) -> None:
    """A run or a check with nothing to talk to is a mistake, not a quiet success."""
    if not settings.sources:
        raise ConfigError("config: sources: no sources configured (add a [[sources]] table)")


def select_sources(settings: Settings, names: list[str] | None) -> list[SourceSettings]:
    if not names:
        return list(settings.sources)
    known = {source.name: source for source in settings.sources}
    for name in names:
        if name not in known:
            raise ConfigError(
                f"--source: no source named {name!r} (configured: {', '.join(known) or 'none'})"
            )
    return [known[name] for name in names]


def resolve_secrets(settings: Settings, sources: list[SourceSettings]) -> dict[str, dict[str, str]]:
    """Each selected source's secrets from the environment, by the variable names it gives.
    Every missing one is listed at once, each naming the source, the key and the variable."""
    secrets: dict[str, dict[str, str]] = {}
    missing: list[str] = []
    owners = [(f"sources[{source.name}]", source.name, source) for source in sources]
    owners += [  # a chat webhook URL is a secret too
        (f"notify[{c.channel}]", f"notify:{c.channel}", c) for c in settings.notify
    ]
    for where, name, owner in owners:
        values: dict[str, str] = {}
        for key, variable in owner.secret_envs().items():
            value = os.environ.get(variable, "")
            if not value:
                missing.append(f"config: {where}.{key}: environment variable {variable} is not set")
            values[key.removesuffix("_env")] = value
        secrets[name] = values
    if missing:
        raise ConfigError("\n".join(missing))
    return secrets
