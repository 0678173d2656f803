"""Configuration: the example loads; every mistake is one line naming the key."""

from __future__ import annotations

import pytest

from sync.settings import ConfigError, build_settings, load_settings, resolve_secrets
from tests.conftest import ROOT


def test_example_config_loads_with_every_section():
    settings = load_settings(ROOT / "config.example.toml")
    assert [s.kind for s in settings.sources] == ["jira", "github", "worktile"]
    assert settings.rules.undocumented_change.comment_window_hours == 48
    assert settings.rules.unconfirmed_requirement.confirm_phrases == [
        "confirmed",
        "approved",
        "确认",
    ]
    assert settings.writeback.max_new_comments == 25


GITHUB = 'name = "gh"\nkind = "github"\nrepo = "acme/portal"\ntoken_env = "GH"\n'


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            '[[sources]]\nname = "gh"\nkind = "github"\ntoken_env = "GH"\n',
            "config: sources[gh].repo: field required",
        ),
        (
            f'[[sources]]\n{GITHUB}[[sources]]\nname = "x"\nkind = "gitlab"\n',
            "config: sources[x].kind: unknown kind 'gitlab'",
        ),
        (f"[[sources]]\n{GITHUB}colour = 1\n", "config: sources[gh].colour: unknown key"),
        (
            f'[[sources]]\n{GITHUB}token = "ghp_secret"\n',
            "config: sources[gh].token: secrets are not read from the config file",
        ),
        (
            '[daemon]\ninterval_minutes = "soon"\n',
            "config: daemon.interval_minutes: input should be a valid number",
        ),
        (
            '[writeback]\nlanguage = "fr"\n',
            "config: writeback.language: input should be 'en' or 'zh'",
        ),
        ("[store\npath = 1\n", "config: "),
        (
            '[rules.undocumented_change]\nwatched_fields = ["colour"]\n',
            "config: rules.undocumented_change.watched_fields[0]:",
        ),
        (
            f"[[sources]]\n{GITHUB}[[sources]]\n{GITHUB}",
            "config: sources: two sources are named 'gh'",
        ),
    ],
)
def test_config_errors_name_the_key(tmp_path, toml, message):
    path = tmp_path / "config.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    text = str(caught.value)
    assert text.startswith(message), text
    assert "\n" not in text


def test_unreadable_config_file(tmp_path):
    with pytest.raises(ConfigError, match=r"config: cannot read .*missing.toml"):
        load_settings(tmp_path / "missing.toml")


def test_missing_secret_names_the_key_and_variable(monkeypatch):
    monkeypatch.delenv("NOT_SET_TOKEN", raising=False)
    settings = build_settings(
        {"sources": [{"name": "gh", "kind": "github", "repo": "a/b", "token_env": "NOT_SET_TOKEN"}]}
    )
    with pytest.raises(ConfigError) as caught:
        resolve_secrets(settings, list(settings.sources))
    assert str(caught.value) == (
        "config: sources[gh].token_env: environment variable NOT_SET_TOKEN is not set"
    )


def test_environment_overrides_the_file(monkeypatch, tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[store]\npath = "file.db"\n[writeback]\nenabled = true\n')
    monkeypatch.setenv("TRACKER_SYNC_STORE__PATH", "env.db")
    monkeypatch.setenv("TRACKER_SYNC_WRITEBACK__ENABLED", "false")
    settings = load_settings(path)
    assert settings.store.path == "env.db"
    assert settings.writeback.enabled is False


def test_github_enterprise_base_url_is_accepted():
    settings = build_settings(
        {
            "sources": [
                {
                    "name": "ghes",
                    "kind": "github",
                    "base_url": "https://github.acme.example/api/v3/",
                    "repo": "a/b",
                    "token_env": "T",
                }
            ]
        }
    )
    assert settings.sources[0].base_url == "https://github.acme.example/api/v3"


def test_example_config_shows_every_setting():
    """Each key of every settings model appears in config.example.toml, set or commented."""
    import re

    from sync import rule_settings as r
    from sync import settings as s

    text = (ROOT / "config.example.toml").read_text()
    models = (
        s.StoreSettings,
        s.DaemonSettings,
        s.WritebackSettings,
        s.GitHubSource,
        s.JiraSource,
        s.WorktileSource,
        s.NotifySettings,
        r.RulesSettings,
        r.UnconfirmedRequirementRule,
        r.UndocumentedChangeRule,
        r.SlippingMilestoneRule,
        r.IncompleteRequirementRule,
        r.ScopeCreepRule,
        r.UnansweredClientRule,
    )
    missing = [
        f"{model.__name__}.{name}"
        for model in models
        for name in model.model_fields
        if not (
            model is r.RulesSettings
            and name.endswith(("_requirement", "_change", "_milestone", "_creep", "_client"))
        )
        and not re.search(rf"^\s*#?\s*{name}\s*=", text, re.MULTILINE)
    ]
    assert missing == []
