"""The layout DESIGN.md draws: nothing in the product imports ``sandbox``, and no sandbox
module grows past 450 lines (a tracker becomes a package long before)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("sync", "connectors", "mapping")


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_the_product_never_imports_the_sandbox():
    offenders = [
        str(path.relative_to(ROOT))
        for package in PRODUCT
        for path in sorted((ROOT / package).rglob("*.py"))
        if any(name.split(".")[0] == "sandbox" for name in imported_modules(path))
    ]
    offenders += ["run_sync.py"] * any(
        name.split(".")[0] == "sandbox" for name in imported_modules(ROOT / "run_sync.py")
    )
    assert offenders == []


def test_no_sandbox_module_passes_450_lines():
    long = {
        str(path.relative_to(ROOT)): n
        for path in (ROOT / "sandbox").rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > 450
    }
    assert long == {}
