"""Writes the status report: ``index.html``, one page per open milestone and ``report.json``.
Jinja2 autoescapes every value (titles and questions are the client's text); the only markup
let through unescaped is the chart pygal made from numbers and the catalogue's words."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from sync.report.burnup import burnup_svg
from sync.report.status_data import by_due, group_counts
from sync.report.strings import words


def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("sync.report", "templates"),
        autoescape=select_autoescape(["html"], default_for_string=True, default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["reason"] = lambda key, t: t.get(f"r_{key}", key)
    env.filters["when"] = when
    return env


def when(stamp: str | None) -> str:
    """``2026-11-26T11:57:25Z`` as ``2026-11-26 11:57 UTC``; a date stays a date."""
    if not stamp or len(stamp) < 16:
        return stamp or ""
    return f"{stamp[:10]} {stamp[11:16]} UTC"


def report_data(stores: list[dict[str, Any]], as_of: date, lang: str) -> dict[str, Any]:
    """``report.json``: the same data the pages show, every store's milestones in one list."""
    milestones = by_due([m for store in stores for m in store["milestones"]])
    return {
        "as_of": as_of.isoformat(),
        "lang": lang,
        "stores": [{"path": s["path"], "sources": s["sources"]} for s in stores],
        "verdicts": group_counts(milestones),
        "milestones": milestones,
    }


def write_report(data: dict[str, Any], out: Path, as_of: date) -> Path:
    """Every page and ``report.json`` into ``out``; returns the index's path. Each file is
    written beside its final name and renamed, so a reader never sees half a page."""
    out.mkdir(parents=True, exist_ok=True)
    env = environment()
    t = words(data["lang"])
    sources = [s for store in data["stores"] for s in store["sources"]]
    common = {"t": t, "lang": data["lang"], "as_of": data["as_of"], "sources": sources}
    page = env.get_template("milestone.html")
    for milestone in data["milestones"]:
        own = [s for s in sources if s["name"] == milestone["source"]]
        chart = Markup(burnup_svg(milestone, t, as_of))
        html = page.render({**common, "sources": own}, m=milestone, chart=chart)
        _write(out / milestone["file"], html)
    index = out / "index.html"
    _write(index, env.get_template("index.html").render(**common, milestones=data["milestones"]))
    _write(out / "report.json", json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True))
    return index


def _write(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.tmp")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
