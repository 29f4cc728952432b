"""``python -m engine sweep``: Figure 2, every robust rule's exact loss under every attack.

Off the diagonal a loss depends on the rule entry by entry: ``loss_lower`` / ``loss_upper`` bound the minimax
rule's true loss (``loss_status`` per entry), ``clean_lower`` / ``clean_upper`` its clean loss, ``rule_error`` is
each rule's proven max |log q - log q*| (null when none could be proven) and ``not_unique`` the sentences for
the rules that are not unique (``engine.analyses.rule_bounds``).
"""

from __future__ import annotations

import csv
import io

import numpy as np

from engine.analyses.tradeoff import tradeoff_grid
from engine.cli.options import add_json_option, add_problem_options, load_problem, parse_range, rows
from engine.core.information import to_units
from engine.formats.text import check_output, write_text

NAME = "sweep"
HELP = "Figure 2: each robust rule's loss under each attack"


def add_arguments(p) -> None:
    """The command's options."""
    add_problem_options(p)
    p.add_argument("--eps-rule", required=True, metavar="A:B:N", help="the rules' budgets (or a list a,b,c)")
    p.add_argument("--eps-attack", required=True, metavar="A:B:N", help="the attacks' budgets")
    add_json_option(p)
    p.add_argument("--out", metavar="FILE.csv", help="also write a tidy table eps_attack, eps_rule, loss")


def run(args) -> dict:
    """Figure 2: every robust rule's loss under every attack."""
    if args.out:  # before any work: never a FIFO, a folder, a missing folder or one of the command's own inputs
        check_output(args.out, "table", inputs=[args.mu, args.metric])
    problem = load_problem(args)
    g = tradeoff_grid(problem, parse_range(args.eps_rule, "--eps-rule"), parse_range(args.eps_attack, "--eps-attack"))
    u = args.units
    out = {
        "eps_rule": g.eps_rule.tolist(), "eps_attack": g.eps_attack.tolist(), "loss": rows(g.loss, u),
        "h_star": rows(g.h_star, u), "clean": rows(g.clean, u), "h_y": to_units(g.h_y, u),
        "h_y_given_x": to_units(g.h_y_given_x, u), "status": g.status, "units": u,
        "loss_lower": rows(g.loss_lower, u), "loss_upper": rows(g.loss_upper, u),
        "loss_status": [[str(v) for v in row] for row in g.loss_status],
        "clean_lower": rows(g.clean_lower, u), "clean_upper": rows(g.clean_upper, u),
        "rule_error": [to_units(float(e), u) if np.isfinite(e) else None for e in g.rule_error],
        "not_unique": [note for note in g.notes if note],
    }
    if args.out:
        write_tidy_csv(args.out, out)
    return out


def write_tidy_csv(path: str, out: dict) -> None:
    """One row per grid point: eps_attack, eps_rule, loss, its bounds and status (and the units); written
    atomically."""
    f = io.StringIO()
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["eps_attack", "eps_rule", "loss", "units", "loss_lower", "loss_upper", "loss_status"])
    for i, ea in enumerate(out["eps_attack"]):
        for j, er in enumerate(out["eps_rule"]):
            w.writerow([repr(ea), repr(er), repr(out["loss"][i][j]), out["units"], repr(out["loss_lower"][i][j]),
                        repr(out["loss_upper"][i][j]), out["loss_status"][i][j]])
    write_text(path, f.getvalue(), "table")


def text(out: dict) -> str:
    """A person's view of ``sweep``: the grid with h* beside it."""
    lines = [f"L(eps_attack, eps_rule) in {out['units']}  [{out['status']}]; rows: eps_attack, columns: eps_rule",
             "attack\\rule" + "".join(f"{e:9.3g}" for e in out["eps_rule"]) + "       h*"]
    for ea, row, h in zip(out["eps_attack"], out["loss"], out["h_star"], strict=True):
        lines.append(f"{ea:11.3g}" + "".join(f"{v:9.4f}" for v in row) + f"{h:9.4f}")
    open_entries = sum(s != "verified" for row in out["loss_status"] for s in row)
    if open_entries:
        lines.append(f"{open_entries} entries are not verified to 1e-6: see loss_lower and loss_upper (--json).")
    lines += out["not_unique"]
    return "\n".join(lines)
