"""The dependency rule: the core stays framework-free, and the reports never reach the database."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
ALLOWED = {
    "symmetry": {"numpy", "scipy", "symmetry"},
    "reports": {"numpy", "scipy", "symmetry", "reports", "jinja2", "matplotlib", "PIL", "weasyprint", "babel", "segno"},
}


def imported_top_levels(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_what_its_layer_allows(package: str) -> None:
    offenders = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        foreign = imported_top_levels(path) - ALLOWED[package] - set(sys.stdlib_module_names)
        if foreign:
            offenders[str(path.relative_to(ROOT))] = sorted(foreign)
    assert offenders == {}


def test_rule_detects_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text("import os\nfrom sqlalchemy.orm import Session\nimport numpy as np\n")
    assert imported_top_levels(module) - ALLOWED["symmetry"] - set(sys.stdlib_module_names) == {"sqlalchemy"}
