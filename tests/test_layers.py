"""The dependency direction of docs/architecture.md: only ``node`` imports ``node``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for item in ast.walk(tree):
        if isinstance(item, ast.Import):
            found.update(alias.name for alias in item.names)
        elif isinstance(item, ast.ImportFrom) and item.module and item.level == 0:
            found.add(item.module)
    return found


@pytest.mark.parametrize("package", ["federation", "verification", "i18n"])
def test_library_packages_never_import_node(package: str) -> None:
    offenders = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in sorted((ROOT / package).rglob("*.py"))
        for module in imported_modules(path)
        if module == "node" or module.startswith("node.")
    ]
    assert offenders == []


def test_deid_library_is_self_contained() -> None:
    """node/deid is called by the node but must stand alone (no other node imports)."""
    offenders = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in sorted((ROOT / "node" / "deid").rglob("*.py"))
        for module in imported_modules(path)
        if module.startswith("node.") and not module.startswith("node.deid")
    ]
    assert offenders == []
