"""``python -m engine solve``: the certified h*, worst case nu* and robust rule q* at one budget."""

from __future__ import annotations

import math

from engine.analyses.robust_rule import robust_rule
from engine.analyses.worst_case import worst_case
from engine.cli.options import add_json_option, add_problem_options, load_problem, parse_eps, rows
from engine.core.information import to_units

NAME = "solve"
HELP = "certified h*, worst case and robust rule at one eps"


def add_arguments(p) -> None:
    """The command's options."""
    add_problem_options(p)
    p.add_argument("--eps", required=True, help="the budget eps >= 0 (a move is within it when its cost is at most "
                                                "eps (1 + 1e-12): LIMIT_SLACK, see README)")
    add_json_option(p)


def run(args) -> dict:
    """Certified h*, worst-case nu*, robust rule q* at one budget."""
    problem = load_problem(args)
    eps = parse_eps(args.eps)
    w, r = worst_case(problem, eps), robust_rule(problem, eps)
    u = args.units
    return {
        "h_star": to_units(w.value, u),
        "robust_rule": {"positions": list(problem.positions), "labels": list(problem.labels), "q": rows(r.q),
                        "value": to_units(r.value, u),
                        # a proven bound on max |log q - log q*| in the units (as in sweep; None: not proven),
                        # the sentence where q* is not unique (as in sweep) and those x
                        "rule_error": to_units(r.rule_error, u) if math.isfinite(r.rule_error) else None,
                        "not_unique": [r.uniqueness] if r.uniqueness else [],
                        "not_unique_at": [float(problem.positions[x]) for x in r.free_rows]},
        "worst_case": {"positions": list(problem.positions), "labels": list(problem.labels), "nu": rows(w.nu),
                       "value": to_units(w.value, u),
                       "multiplier": None if w.multiplier is None else to_units(w.multiplier, u)},
        "certificate": {k: to_units(v, u) for k, v in w.certificate.as_dict().items()},
        "status": w.status,
        "units": u,
    }


def text(out: dict) -> str:
    """A person's view of ``solve``."""
    u, c = out["units"], out["certificate"]
    labels = out["worst_case"]["labels"]
    lines = [f"h* = {out['h_star']:.9f} {u}   [{out['status']}, gap {c['gap']:.2g}, "
             f"lower {c['lower']:.9f}, upper {c['upper']:.9f}]", ""]
    shown = (("worst-case nu*(x', y)", "worst_case", "nu"), ("robust rule q*(y | x)", "robust_rule", "q"))
    for title, key, table in shown:
        lines.append(title)
        lines.append("x".rjust(10) + "".join(s.rjust(11) for s in labels))
        for x, row in zip(out[key]["positions"], out[key][table], strict=True):
            lines.append(f"{x:10g}" + "".join(f"{v:11.6f}" for v in row))
        lines.append("")
    rule = out["robust_rule"]
    error = rule["rule_error"]
    lines.append("entries of q*: " + (f"within {error:.2g} {u} of the minimax rule in max |log q - log q*| (proven)"
                                      if error is not None else "not proven (its losses are intervals)"))
    lines += rule["not_unique"]
    return "\n".join(lines).rstrip()
