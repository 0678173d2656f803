"""The demo's delivery project: a client portal whose requirements, tasks and pull requests
live in GitHub, with the usual trouble: work started on an unconfirmed requirement, scope edited
after the client signed off, a release past its due date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sandbox.github import GitHubSandbox


def _at(days: float) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _due(days: int) -> str:
    day = (datetime.now(UTC) + timedelta(days=days)).date()
    return f"{day.isoformat()}T07:00:00Z"  # GitHub stores midnight US Pacific


def seed_demo_github(gh: GitHubSandbox) -> None:
    r1 = gh.add_milestone("Release 1.0", due_on=_due(-3), created_at=_at(-40))["number"]
    r2 = gh.add_milestone("Release 1.1", due_on=_due(12), created_at=_at(-20))["number"]
    pdf = gh.add_issue(
        "Customer can export invoices as PDF",
        "Acceptance: every invoice exports to a one-page PDF with the customer's logo.",
        user="pm",
        labels=["requirement"],
        milestone=r1,
        created_at=_at(-30),
    )["number"]
    gh.edit_issue(pdf, actor="pm", at=_at(-25), labels=["requirement", "client-confirmed"])
    gh.add_comment(
        pdf, "Confirmed, this is what we need for the audit.", user="client-pm", at=_at(-25)
    )
    sso = gh.add_issue(
        "Single sign-on with the client's identity provider",
        "Users sign in with their corporate account.",
        user="pm",
        labels=["requirement", "in progress"],
        milestone=r1,
        created_at=_at(-20),
    )["number"]
    gh.add_comment(
        sso, "Is this confirmed by the client? Not yet, I think.", user="dev", at=_at(-18)
    )
    search = gh.add_issue(
        "Search invoices by customer and date",
        "Acceptance: results within 1 s for 100k invoices.",
        user="pm",
        labels=["requirement"],
        milestone=r2,
        created_at=_at(-12),
    )["number"]
    gh.add_issue(
        "Spike: PDF rendering library",
        f"For #{pdf}.",
        user="dev",
        milestone=r1,
        labels=["in progress"],
        created_at=_at(-24),
    )
    gh.add_issue(
        "Add SAML login flow",
        f"Implements #{sso}.",
        user="dev",
        pull_request=True,
        milestone=r1,
        created_at=_at(-10),
    )
    done = gh.add_issue(
        "Invoice list page", "List with paging.", user="dev", milestone=r1, created_at=_at(-28)
    )
    gh.edit_issue(done["number"], actor="dev", at=_at(-8), state="closed")
    gh.add_issue(
        "Search index for invoices",
        f"Backs #{search}.",
        user="dev",
        milestone=r2,
        created_at=_at(-6),
    )


def apply_demo_edits(gh: GitHubSandbox) -> None:
    """What happens between two syncs: scope grows on a confirmed requirement with no change
    request, a title is reworded, and the release date quietly moves."""
    gh.edit_issue(
        1,
        actor="dev",
        body="Acceptance: every invoice exports to PDF with the customer's "
        "logo, in English and German, and as a zipped batch of up to 500 invoices.",
    )
    gh.edit_issue(2, actor="pm", title="Single sign-on with Azure AD and Okta")
    gh.edit_milestone(2, due_on=_due(19))
