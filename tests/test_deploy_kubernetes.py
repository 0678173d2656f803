"""deploy/kubernetes: one CronJob per project of ``projects.txt`` (Kustomize base + overlays,
written by ``render.py``) and the portfolio report over every shard, read-only. Checked on the
objects ``render.py`` builds, on the committed files, and on ``kubectl kustomize``'s own output
where kubectl is installed."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT

KUBE = ROOT / "deploy" / "kubernetes"
spec = importlib.util.spec_from_file_location("k8s_render", KUBE / "render.py")
render = importlib.util.module_from_spec(spec)
spec.loader.exec_module(render)
PROJECTS = render.projects()


def test_committed_manifests_are_what_render_writes():
    result = subprocess.run(
        [sys.executable, str(KUBE / "render.py"), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert len(PROJECTS) >= 2


def pod(cron: dict) -> dict:
    return cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]


def test_one_cronjob_per_project_with_its_own_volume():
    objects = render.final_manifests(PROJECTS)
    crons = {o["metadata"]["name"]: o for o in objects if o["kind"] == "CronJob"}
    claims = {o["metadata"]["name"]: o for o in objects if o["kind"] == "PersistentVolumeClaim"}
    assert set(crons) == {f"tracker-sync-{p}" for p in PROJECTS} | {"tracker-sync-portfolio"}
    assert "nfs" not in json.dumps(objects).lower()
    for claim in claims.values():
        assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]
    for project in PROJECTS:
        cron = crons[f"tracker-sync-{project}"]
        assert cron["spec"]["concurrencyPolicy"] == "Forbid"
        volumes = {v["name"]: v for v in pod(cron)["volumes"]}
        assert volumes["data"]["persistentVolumeClaim"] == {
            "claimName": f"tracker-sync-db-{project}"
        }
        assert f"tracker-sync-db-{project}" in claims
        args = pod(cron)["containers"][0]["args"]
        assert args[args.index("--db") + 1] == f"/data/{project}.db"
        assert volumes["config"]["configMap"]["name"] == f"tracker-sync-{project}-config"


def test_schedules_are_jittered_by_name_and_distinct():
    objects = render.final_manifests(PROJECTS)
    schedules = {
        o["metadata"]["name"]: o["spec"]["schedule"] for o in objects if o["kind"] == "CronJob"
    }
    firsts = []
    for project in PROJECTS:
        minutes, *rest = schedules[f"tracker-sync-{project}"].split(" ")
        numbers = [int(m) for m in minutes.split(",")]
        assert rest == ["*"] * 4 and numbers == list(range(numbers[0], 60, render.INTERVAL))
        firsts.append(numbers[0])
    assert len(set(firsts)) == len(PROJECTS)
    # derived from the name: the same in any order, and fifteen projects never share a minute
    assert render.offsets(list(reversed(PROJECTS))) == render.offsets(PROJECTS)
    many = [f"client-{n}" for n in range(render.INTERVAL)]
    assert sorted(render.offsets(many).values()) == list(range(render.INTERVAL))


def test_portfolio_mounts_every_shard_read_only():
    objects = render.final_manifests(PROJECTS)
    cron = next(o for o in objects if o["metadata"]["name"] == "tracker-sync-portfolio")
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    container = pod(cron)["containers"][0]
    assert container["args"][:2] == ["tracker-sync", "report"]
    dbs = [a for i, a in enumerate(container["args"]) if container["args"][i - 1] == "--db"]
    assert dbs == [f"/shards/{p}/{p}.db" for p in PROJECTS]
    mounts = {m["name"]: m for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod(cron)["volumes"]}
    for project in PROJECTS:
        assert mounts[f"shard-{project}"]["readOnly"] is True
        assert volumes[f"shard-{project}"]["persistentVolumeClaim"] == {
            "claimName": f"tracker-sync-db-{project}",
            "readOnly": True,
        }


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kustomize_renders_the_same_objects():
    result = subprocess.run(
        ["kubectl", "kustomize", str(KUBE)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    text = result.stdout
    documents = text.split("\n---\n")
    assert len(documents) == len(render.final_manifests(PROJECTS))
    assert text.count("concurrencyPolicy: Forbid") == len(PROJECTS) + 1
    assert text.count("- ReadWriteOnce") == len(PROJECTS) + 1
    for cron in render.final_manifests(PROJECTS):
        if cron["kind"] != "CronJob":
            continue
        document = next(d for d in documents if f"\n  name: {cron['metadata']['name']}\n" in d)
        assert re.search(rf"\n  schedule: ['\"]?{re.escape(cron['spec']['schedule'])}", document)
        for volume in pod(cron)["volumes"]:
            if "persistentVolumeClaim" in volume:
                claim = volume["persistentVolumeClaim"]["claimName"]
                assert f"claimName: {claim}\n" in document
