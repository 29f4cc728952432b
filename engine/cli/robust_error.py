"""``python -m engine robust-error``: the certified robust 0-1 error e*(eps) along a grid (docs/design.md,
"Robust accuracy"; ``engine.analyses.robust_error``).

    python -m engine robust-error (problem options) --eps A:B:N [--json]
    -> {"eps": [...], "error": [...], "lower": [...], "upper": [...], "status": [...], "rule": [[...]]}

``error`` is the certified lower bound (the error of a feasible worst-case plan, attained), ``upper`` the exact
worst-case error of the returned rule, ``rule`` the optimal randomised rule q(y|x) at the last eps (rows:
feature values, columns: labels). Errors are probabilities, so ``--units`` does not apply.
"""

from __future__ import annotations

from engine.analyses.robust_error import robust_error
from engine.cli.options import add_json_option, add_problem_options, load_problem, parse_range

NAME = "robust-error"
HELP = "certified robust 0-1 error (best worst-case error of any classifier) along an eps grid"


def add_arguments(parser) -> None:
    """The problem options and the grid of budgets."""
    add_problem_options(parser)
    parser.add_argument("--eps", required=True, metavar="A:B:N", help="the budgets (or a list a,b,c)")
    add_json_option(parser)


def run(args) -> dict:
    """The JSON-ready curve."""
    problem = load_problem(args)
    curve = robust_error(problem, parse_range(args.eps, "--eps"))
    return {
        "eps": curve.eps.tolist(), "error": curve.value.tolist(), "lower": curve.lower.tolist(),
        "upper": curve.upper.tolist(), "status": [str(s) for s in curve.statuses], "rule": curve.rule.tolist(),
    }


def text(out: dict) -> str:
    """A person's view: the curve with its certificate, then the rule at the last eps."""
    lines = [f"{'eps':>10} {'error':>12} {'accuracy':>10} {'gap':>9}  status"]
    for e, v, lo, up, s in zip(out["eps"], out["error"], out["lower"], out["upper"], out["status"], strict=True):
        lines.append(f"{e:10.4g} {v:12.9f} {1 - v:10.6f} {up - lo:9.2g}  {s}")
    lines += ["", f"optimal randomised rule q(y | x) at eps = {out['eps'][-1]:g} (rows: x, columns: y)"]
    lines += ["".join(f"{v:10.6f}" for v in row) for row in out["rule"]]
    return "\n".join(lines)
