"""``python -m engine privacy-curve``: the least leakage I(Y; Z) = H(Y) - h*(eps) for each budget (Lemma 1)."""

from __future__ import annotations

from engine.analyses.privacy import privacy_curve
from engine.cli.options import add_json_option, add_problem_options, load_problem, parse_range, rows

NAME = "privacy-curve"
HELP = "least leakage I(Y;Z) against distortion eps"


def add_arguments(p) -> None:
    """The command's options."""
    add_problem_options(p)
    p.add_argument("--eps", required=True, metavar="A:B:N", help="the budgets (or a list a,b,c)")
    add_json_option(p)


def run(args) -> dict:
    """Least leakage I(Y; Z) = H(Y) - h*(eps) for each budget (Lemma 1)."""
    problem = load_problem(args)
    c = privacy_curve(problem, parse_range(args.eps, "--eps"))
    u = args.units
    return {"eps": c.eps.tolist(), "h_star": rows(c.h_star, u), "leakage": rows(c.leakage, u),
            "status": c.status, "units": u}


def text(out: dict) -> str:
    """A person's view of ``privacy-curve``."""
    lines = [f"{'eps':>10} {'h*':>12} {'leakage':>12}   ({out['units']}, {out['status']})"]
    rows = zip(out["eps"], out["h_star"], out["leakage"], strict=True)
    lines += [f"{e:10.4g} {h:12.6f} {v:12.6f}" for e, h, v in rows]
    return "\n".join(lines)
