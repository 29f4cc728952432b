"""The layers are checked, not only described (docs/design.md, "Layers").

- import-linter's contracts (pyproject.toml) hold on the code, and break when a fixture adds a forbidden import;
- the engine's modules import each other without a cycle (lazy, function-level imports included);
- no module imports another module's private name (``from engine.x import _y``).
"""

from __future__ import annotations

import ast
import graphlib
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("engine", "figures", "ui", "views")
LINT = Path(sys.executable).with_name("lint-imports")


def lint(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT), "--no-cache"], cwd=root, capture_output=True, text=True, timeout=300,
                          env={"PATH": str(LINT.parent), "PYTHONPATH": str(root)})


def test_the_contracts_hold():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


@pytest.mark.parametrize("module, line, broken", [
    ("engine/core/moves.py", "import streamlit", "The engine is pure numerics"),
    ("engine/bounds/loss.py", "import plotly.graph_objects", "The engine is pure numerics"),
    ("figures/style.py", "import streamlit", "Figures are pure Plotly"),
    ("engine/core/metrics.py", "from engine.analyses.worst_case import worst_case", "The engine's layers"),
    ("engine/analyses/privacy.py", "from engine.io.presets import load_preset", "The engine's layers"),
    ("engine/solvers/conic.py", "import engine", "The engine's layers"),  # the facade from inside: upwards
    ("figures/tables.py", "from ui.text import literal", "The app's layers"),
], ids=lambda v: v if "/" in str(v) else None)
def test_a_forbidden_import_breaks_its_contract(tmp_path, module, line, broken):
    for name in PACKAGES:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / module
    target.write_text(target.read_text() + f"\n{line}  # added by the test\n")
    result = lint(tmp_path)
    assert result.returncode != 0, result.stdout
    assert f"{broken}" in result.stdout and "BROKEN" in result.stdout
    assert "1 broken" in result.stdout, result.stdout


def test_no_import_cycle_in_the_engine():
    graph = grimp.build_graph("engine", cache_dir=None)
    modules = sorted(m for m in graph.modules if m != "engine")  # the facade imports everything; nothing imports it
    order = graphlib.TopologicalSorter({m: graph.find_modules_directly_imported_by(m) - {"engine"} for m in modules})
    try:
        order.prepare()
    except graphlib.CycleError as error:
        pytest.fail(f"an import cycle: {' -> '.join(error.args[1])}")
    assert not any("engine" in graph.find_modules_directly_imported_by(m) for m in modules), "the facade imported"


def test_no_module_imports_a_private_name_of_another():
    offences = []
    for name in PACKAGES:
        for path in (ROOT / name).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in PACKAGES:
                    offences += [f"{path.relative_to(ROOT)}: from {node.module} import {a.name}"
                                 for a in node.names if a.name.startswith("_")]
    assert not offences, offences
