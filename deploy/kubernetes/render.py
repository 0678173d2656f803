#!/usr/bin/env python3
"""Kustomize manifests for one tracker-sync CronJob per client project, from one list
(``projects.txt``): a base (CronJob + its ReadWriteOnce volume), one overlay per project (a
name suffix, its schedule, its config and secrets) and the portfolio report's CronJob, which
mounts every project's volume read-only. ``kubectl apply -k deploy/kubernetes`` applies them.

    python3 deploy/kubernetes/render.py          # rewrite overlays/, portfolio/, kustomization
    python3 deploy/kubernetes/render.py --check  # exit 1 when a file is not what it would write

Each project syncs every 15 minutes at its own offset, derived from its name (so adding a
project moves no other project's schedule unless two names collide): projects hitting their
trackers at once would share rate limits and spike the node. Standard library only."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
INTERVAL = 15  # minutes between two syncs of a project
IMAGE = "registry.example.com/tracker-sync:0.1.0"
PORTFOLIO_SCHEDULE = "0 6 * * 1-5"  # weekday mornings, before the client reads it


def projects(path: Path = HERE / "projects.txt") -> list[str]:
    """Project names, one a line; ``#`` starts a comment."""
    names = [line.split("#")[0].strip() for line in path.read_text().splitlines()]
    return [name for name in names if name]


def offsets(names: list[str]) -> dict[str, int]:
    """A minute in [0, INTERVAL) per project from a hash of its name; on a collision the next
    free minute (in list order), so every project starts at a distinct minute while there are
    no more projects than minutes."""
    taken: set[int] = set()
    chosen = {}
    for name in names:
        minute = int(hashlib.sha256(name.encode()).hexdigest(), 16) % INTERVAL
        for step in range(INTERVAL):
            if (minute + step) % INTERVAL not in taken or len(taken) >= INTERVAL:
                minute = (minute + step) % INTERVAL
                break
        taken.add(minute)
        chosen[name] = minute
    return chosen


def schedule(minute: int) -> str:
    return ",".join(str(m) for m in range(minute, 60, INTERVAL)) + " * * * *"


def base_cronjob() -> dict[str, Any]:
    container = {
        "name": "tracker-sync",
        "image": IMAGE,
        "args": ["tracker-sync", "--config", "/config/config.toml", "--db", "/data/store.db"],
        "envFrom": [{"secretRef": {"name": "tracker-sync-secrets"}}],
        "volumeMounts": [
            {"name": "config", "mountPath": "/config", "readOnly": True},
            {"name": "data", "mountPath": "/data"},
        ],
    }
    return job(
        "tracker-sync",
        "*/15 * * * *",
        container,
        [
            {"name": "config", "configMap": {"name": "tracker-sync-config"}},
            {"name": "data", "persistentVolumeClaim": {"claimName": "tracker-sync-db"}},
        ],
    )


def job(name: str, when: str, container: dict, volumes: list[dict]) -> dict[str, Any]:
    """A CronJob that never overlaps itself (the store lock is the second guard)."""
    pod = {
        "restartPolicy": "Never",
        "securityContext": {"runAsNonRoot": True, "runAsUser": 10001, "fsGroup": 10001},
        "containers": [container],
        "volumes": volumes,
    }
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": name},
        "spec": {
            "schedule": when,
            "concurrencyPolicy": "Forbid",
            "successfulJobsHistoryLimit": 3,
            "failedJobsHistoryLimit": 5,
            "jobTemplate": {"spec": {"backoffLimit": 0, "template": {"spec": pod}}},
        },
    }


def pvc(name: str, size: str = "1Gi") -> dict[str, Any]:
    """ReadWriteOnce block storage, never NFS: SQLite's locking breaks on NFS."""
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": name},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}},
    }


def overlay_ops(name: str, minute: int) -> list[dict[str, Any]]:
    """The project's JSON patch on the base CronJob: its schedule, store file, secrets and
    config map."""
    return [
        {"op": "replace", "path": "/spec/schedule", "value": schedule(minute)},
        {"op": "replace", "path": f"{POD}/containers/0/args/4", "value": f"/data/{name}.db"},
        {
            "op": "replace",
            "path": f"{POD}/containers/0/envFrom/0/secretRef/name",
            "value": f"tracker-sync-{name}-secrets",
        },
        {
            "op": "replace",
            "path": f"{POD}/volumes/0/configMap/name",
            "value": f"tracker-sync-{name}-config",
        },
    ]


def overlay(name: str) -> dict[str, Any]:
    """The project's kustomization: the base renamed ``-<name>`` and patched (kustomize
    renames the volume claim with the suffix)."""
    return {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": ["../../base"],
        "nameSuffix": f"-{name}",
        "labels": [{"pairs": {"tracker-sync/project": name}, "includeSelectors": False}],
        "patches": [{"target": {"kind": "CronJob"}, "path": "patch.yaml"}],
    }


POD = "/spec/jobTemplate/spec/template/spec"


def portfolio(names: list[str]) -> dict[str, Any]:
    """The portfolio report: every project's store mounted read-only, one index over all."""
    args = ["tracker-sync", "report", "--config", "/config/config.toml", "--out", "/reports"]
    mounts = [{"name": "config", "mountPath": "/config", "readOnly": True}]
    mounts.append({"name": "reports", "mountPath": "/reports"})
    volumes = [{"name": "config", "configMap": {"name": "tracker-sync-portfolio-config"}}]
    volumes.append(
        {"name": "reports", "persistentVolumeClaim": {"claimName": "tracker-sync-reports"}}
    )
    for name in names:
        args += ["--db", f"/shards/{name}/{name}.db"]
        mounts.append({"name": f"shard-{name}", "mountPath": f"/shards/{name}", "readOnly": True})
        claim = {"claimName": f"tracker-sync-db-{name}", "readOnly": True}
        volumes.append({"name": f"shard-{name}", "persistentVolumeClaim": claim})
    container = {"name": "report", "image": IMAGE, "args": args, "volumeMounts": mounts}
    return job("tracker-sync-portfolio", PORTFOLIO_SCHEDULE, container, volumes)


def final_manifests(names: list[str]) -> list[dict[str, Any]]:
    """What ``kubectl kustomize`` yields, built here the same way (rename, then the patch's
    replacements): the test checks these, and kustomize's own output where kubectl exists."""
    minutes = offsets(names)
    result = []
    for name in names:
        cron, claim = base_cronjob(), pvc("tracker-sync-db")
        for op in overlay_ops(name, minutes[name]):
            set_path(cron, op["path"], op["value"])
        cron["metadata"]["name"] += f"-{name}"
        claim["metadata"]["name"] += f"-{name}"
        volumes = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["volumes"]
        volumes[1]["persistentVolumeClaim"]["claimName"] = claim["metadata"]["name"]
        result += [cron, claim]
    return [*result, portfolio(names), pvc("tracker-sync-reports")]


def set_path(document: dict[str, Any], path: str, value: Any) -> None:
    parts = path.strip("/").split("/")
    node: Any = document
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    last = parts[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


def dump(value: Any, indent: int = 0) -> str:
    """YAML in block style; every string double-quoted as JSON writes it (valid YAML)."""
    pad = "  " * indent
    if isinstance(value, dict):
        lines = []
        for key, item in value.items():
            if isinstance(item, dict | list) and item:
                lines.append(f"{pad}{key}:\n{dump(item, indent + 1)}")
            else:
                lines.append(f"{pad}{key}: {scalar(item)}\n")
        return "".join(lines)
    if isinstance(value, list):
        lines = []
        for item in value:
            text = dump(item, indent + 1) if isinstance(item, dict | list) else None
            lines.append(f"{pad}- {text.lstrip()}" if text else f"{pad}- {scalar(item)}\n")
        return "".join(lines)
    return f"{pad}{scalar(value)}\n"


def scalar(value: Any) -> str:
    if isinstance(value, dict | list):
        return "{}" if isinstance(value, dict) else "[]"
    return json.dumps(value, ensure_ascii=False)


def files(names: list[str]) -> dict[Path, str]:
    """Every file this script owns, with its content."""
    head = "# Written by render.py from projects.txt: edit those, not this file.\n"
    minutes = offsets(names)
    out = {
        HERE / "base" / "cronjob.yaml": head + dump(base_cronjob()),
        HERE / "base" / "pvc.yaml": head + dump(pvc("tracker-sync-db")),
        HERE / "base" / "kustomization.yaml": head
        + dump({"resources": ["cronjob.yaml", "pvc.yaml"]}),
        HERE / "portfolio" / "cronjob.yaml": head + dump(portfolio(names)),
        HERE / "portfolio" / "pvc.yaml": head + dump(pvc("tracker-sync-reports")),
        HERE / "portfolio" / "kustomization.yaml": head
        + dump({"resources": ["cronjob.yaml", "pvc.yaml"]}),
        HERE / "kustomization.yaml": head
        + dump({"resources": [f"overlays/{name}" for name in names] + ["portfolio"]}),
    }
    for name in names:
        out[HERE / "overlays" / name / "kustomization.yaml"] = head + dump(overlay(name))
        out[HERE / "overlays" / name / "patch.yaml"] = head + dump(overlay_ops(name, minutes[name]))
    return out


def main(argv: list[str]) -> int:
    wanted = files(projects())
    stale = [p for p, text in wanted.items() if not p.is_file() or p.read_text() != text]
    if "--check" in argv:
        for path in stale:
            print(f"out of date: {path.relative_to(HERE)} (run render.py)", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(wanted[path])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
