"""The CLI's JSON on two presets equals the JSON saved before the engine moved into its layers (fixtures/).

Keys, statuses and texts must be identical; a command may add keys after the old ones (issue 13 added the
bounds of each sweep loss, and solve the rule's proven accuracy and where it is not unique), never drop, rename
or reorder one. Certified numbers (h*, bounds, entropies, losses
on the diagonal) agree to 1e-7 nats, far inside their certificates. Numbers that depend on every entry of a rule
(q* itself, the loss grid off its diagonal, the clean loss) are compared to 1e-4: issue 13 made the rules exact
entry by entry, which moved figure2's q* by up to 1.1e-5 and such losses by up to 1.5e-5 nats (docs/design.md,
"Numbers that depend on the rule"); nu* moved by 1.9e-6 with them. The best deterministic map may be one of
several ties, so it is compared by its value H(Y | g(X, Y)), which must equal (21)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
COMMANDS = {
    "solve-{p}": ["solve", "--eps", "0.5"],
    "sweep-{p}": ["sweep", "--eps-rule", "0:1:5", "--eps-attack", "0:1:5"],
    "privacy-curve-{p}": ["privacy-curve", "--eps", "0:1:5"],
}
PRESETS = ("figure2", "stochastic-vs-deterministic")
CASES = [(name.format(p=p), [args[0], "--preset", p, *args[1:]]) for name, args in COMMANDS.items() for p in PRESETS]
CASES += [
    ("deterministic-figure2-max", ["deterministic", "--preset", "figure2", "--constraint", "max", "--eps", "1"]),
    ("deterministic-stochastic-vs-deterministic", ["deterministic", "--preset", "stochastic-vs-deterministic",
                                                   "--eps", "1"]),
]
TOLERANCE = {"q": 1e-4, "nu": 1e-5, "loss": 1e-4, "clean": 1e-4, "gap": 1e-7}
ADDED = {"loss_lower", "loss_upper", "loss_status", "clean_lower", "clean_upper", "rule_error", "not_unique",
         "not_unique_at"}


def compare(new, old, path: str, key: str = "") -> None:
    """Recursively: same structure and texts, numbers within the tolerance of their key (1e-7 by default)."""
    if isinstance(old, dict):
        assert isinstance(new, dict) and list(new)[:len(old)] == list(old), (path, list(new), list(old))
        assert set(list(new)[len(old):]) <= ADDED, (path, list(new)[len(old):])
        for k in old:
            if k == "best_map":
                continue  # compared by value in map_is_optimal
            compare(new[k], old[k], f"{path}.{k}", k)
    elif isinstance(old, list):
        assert isinstance(new, list) and len(new) == len(old), (path, new, old)
        for i, (a, b) in enumerate(zip(new, old, strict=True)):
            compare(a, b, f"{path}[{i}]", key)
    elif isinstance(old, float) or isinstance(new, float):
        assert isinstance(new, int | float) and not isinstance(new, bool), (path, new)
        assert np.isclose(new, old, rtol=0, atol=TOLERANCE.get(key, 1e-7)), (path, new, old)
    else:
        assert new == old, (path, new, old)


@pytest.mark.parametrize("name, args", CASES, ids=[c[0] for c in CASES])
def test_the_json_is_what_it_was_before_the_move(name, args):
    result = subprocess.run([sys.executable, "-m", "engine", *args, "--json"], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    old = json.loads((FIXTURES / f"{name}.json").read_text())
    new = json.loads(result.stdout)
    compare(new, old, name)
    if "best_map" in old:
        map_is_optimal(old["best_map"], new, args)
    if name.startswith("sweep"):  # on the diagonal a rule faces its own budget: certified, so tight
        diagonal = [new["loss"][i][i] for i in range(len(new["eps_rule"]))]
        np.testing.assert_allclose(diagonal, [old["loss"][i][i] for i in range(len(old["eps_rule"]))], atol=1e-7)


def map_is_optimal(best_map, new: dict, args: list[str]) -> None:
    """The map saved before reaches the (21) computed now: ties between maps may break either way."""
    import engine

    preset = args[args.index("--preset") + 1]
    changes = {"constraint": args[args.index("--constraint") + 1]} if "--constraint" in args else {}
    problem = engine.load_preset(preset, **changes)
    index = {float(v): i for i, v in enumerate(problem.positions)}
    g = [[-1 if z is None else index[float(z)] for z in row] for row in best_map]
    g = [[max(z, 0) for z in row] for row in g]  # cells with no mass: any target, they carry nothing
    value = engine.map_segment(problem, g, g, [1.0])[0]
    assert np.isclose(value, new["pure_maximin"], rtol=0, atol=1e-7), (value, new["pure_maximin"])
