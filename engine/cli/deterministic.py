"""``python -m engine deterministic``: Sec. V-A, the stochastic h*, (20) and (21) with the best deterministic map."""

from __future__ import annotations

from engine.analyses.deterministic import deterministic_gap
from engine.cli.options import add_json_option, add_problem_options, load_problem, parse_eps
from engine.core.information import to_units

NAME = "deterministic"
HELP = "stochastic versus deterministic attacker (max kind)"


def add_arguments(p) -> None:
    """The command's options."""
    add_problem_options(p)
    p.add_argument("--eps", required=True, help="the radius eps >= 0 (every point moves at most eps)")
    add_json_option(p)


def run(args) -> dict:
    """Sec. V-A: stochastic h*, (20) and (21) with the best deterministic map."""
    problem = load_problem(args)
    d = deterministic_gap(problem, parse_eps(args.eps))
    u = args.units
    best_map = [[None if z < 0 else problem.positions[z] for z in row] for row in d.best_map]
    return {
        "stochastic": to_units(d.stochastic, u), "pure_minimax": to_units(d.pure_minimax, u),
        "pure_maximin": to_units(d.pure_maximin, u), "best_map": best_map,
        "maximin": d.maximin_label, "status": d.status, "units": u,
    }


def text(out: dict) -> str:
    """A person's view of ``deterministic``."""
    u = out["units"]
    return "\n".join([
        f"stochastic attacker, h*           = {out['stochastic']:.6f} {u}  [{out['status']}]",
        f"pure attacker playing second (20) = {out['pure_minimax']:.6f} {u}",
        f"pure attacker playing first (21)  = {out['pure_maximin']:.6f} {u}  [{out['maximin']}]",
        f"best map g(x, y) (rows x, columns y; '-' where mu = 0): {out['best_map']}",
    ])
