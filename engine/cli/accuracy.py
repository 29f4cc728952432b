"""``python -m engine accuracy``: Tsipras et al.'s model: the natural and robust rules, the frontier, the bound."""

from __future__ import annotations

from engine.cli.options import add_json_option
from engine.context.tsipras import (
    accuracy_frontier,
    natural_rule_accuracy,
    robust_rule_accuracy,
    tradeoff_bound,
    tradeoff_factor,
)

NAME = "accuracy"
HELP = "Tsipras et al.: standard versus adversarial accuracy of linear rules"


def add_arguments(p) -> None:
    """The command's options."""
    p.add_argument("--p", required=True, help="P[x_1 = y], the robust feature's reliability, in [0, 1]")
    p.add_argument("--eta", required=True, help="the weak features' mean eta > 0")
    p.add_argument("--d", required=True, help="the number of weak features, a whole number >= 1")
    p.add_argument("--eps", required=True, help="the l_inf attack radius eps >= 0")
    p.add_argument("--points", default="1001", metavar="N", help="angles theta on [0, pi/2] (default 1001)")
    add_json_option(p)


def run(args) -> dict:
    """Tsipras et al.: the natural and robust rules, the Pareto frontier over the family, the theorem's bound."""
    f = accuracy_frontier(args.p, args.eta, args.d, args.eps, points=args.points)
    natural = natural_rule_accuracy(f.p, f.eta, f.d, f.eps)
    robust = robust_rule_accuracy(f.p, f.eta, f.d, f.eps)
    factor = tradeoff_factor(f.p)  # the theorem's p / (1 - p), None outside 1/2 <= p < 1 (whatever eps)
    frontier = [{"theta": float(t), "a": float(a), "b": float(b), "standard": float(s), "adversarial": float(v)}
                for t, a, b, s, v in zip(f.theta, f.a, f.b, f.standard, f.adversarial, strict=True)]
    return {
        "natural": {"standard": natural.standard, "adversarial": natural.adversarial},
        "robust": {"standard": robust.standard, "adversarial": robust.adversarial},
        "frontier": [row for row, keep in zip(frontier, f.on_frontier, strict=True) if keep],
        "bound": {"applies": f.bound_applies, "factor": factor,
                  "natural": None if factor is None else tradeoff_bound(f.p, 1.0 - natural.standard)},
    }


def text(out: dict) -> str:
    """A person's view of ``accuracy``: both rules, a sample of the frontier and the bound."""
    lines = [f"{'rule':14s} {'standard':>10s} {'adversarial':>12s}"]
    for name in ("natural", "robust"):
        lines.append(f"{name:14s} {out[name]['standard']:10.6f} {out[name]['adversarial']:12.6f}")
    rows = out["frontier"]
    step = max(1, len(rows) // 10)
    shown = rows[::step] + ([rows[-1]] if (len(rows) - 1) % step else [])
    lines += ["", f"Pareto frontier over a = cos theta, b = sin theta: {len(shown)} of its {len(rows)} rules shown",
              f"{'theta':>8s} {'a':>8s} {'b':>8s} {'standard':>10s} {'adversarial':>12s}"]
    lines += [f"{r['theta']:8.4f} {r['a']:8.4f} {r['b']:8.4f} {r['standard']:10.6f} {r['adversarial']:12.6f}"
              for r in shown]
    b = out["bound"]
    lines.append("")
    if b["applies"]:
        lines.append(f"bound (eps >= 2 eta): adversarial <= {b['factor']:.6g} x (1 - standard); "
                     f"at the natural rule's standard accuracy: {b['natural']:.6g}")
    else:
        lines.append("bound: does not apply (it needs eps >= 2 eta and 1/2 <= p < 1)")
    return "\n".join(lines)
