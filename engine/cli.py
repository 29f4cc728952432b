"""The command line: ``python -m engine COMMAND`` (DESIGN.md §3).

JSON on stdout with ``--json``; bad input gives one sentence on stderr and exit status 2, never a
traceback. A batch that leaves tasks unfinished (its workers kept dying) prints its summary, says so on
stderr and exits with status 3: run it again to resume. The solver's commands take the same problem options
(a preset or a CSV table, and overrides); ``accuracy`` (Tsipras et al.) and ``certify`` (PixelDP versus
randomized smoothing) take their own numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np

from engine import cli_concentration, cli_robust_mean
from engine.errors import ProblemError
from engine.information import to_units

EXIT_BAD_INPUT = 2
EXIT_UNFINISHED = 3


class Unfinished(Exception):
    """A command that did part of its work: ``out`` is its result, the message says what is left."""

    def __init__(self, message: str, out: dict):
        super().__init__(message)
        self.out = out


class _Parser(argparse.ArgumentParser):
    """An argparse parser whose errors are one sentence and exit 2 (no usage dump)."""

    def error(self, message):
        if message.startswith("argument command: invalid choice"):
            given = message.split("'")[1] if "'" in message else "?"
            raise ProblemError(f"Unknown command {given!r}: choose one of {', '.join(COMMANDS)}.")
        raise ProblemError(message[0].upper() + message[1:].rstrip(".") + f" (see '{self.prog} --help').")


def add_problem_options(p: argparse.ArgumentParser) -> None:
    """--preset | --mu, and the metric, constraint and label-cost overrides."""
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--preset", help="a named problem (see 'python -m engine presets')")
    source.add_argument("--mu", metavar="FILE", help="a CSV table: header x,<label 1>,...; rows: position, m masses")
    p.add_argument("--metric", help="abs | squared | hamming | a CSV file with a custom n-by-n cost")
    p.add_argument("--constraint", choices=("expected", "max", "joint"), help="the kind of constraint set D(eps)")
    p.add_argument("--label-cost", type=float, metavar="K", help="kappa, the price of a label change (joint kind)")
    p.add_argument("--normalise", action="store_true", help="divide the table by its sum instead of rejecting it")
    p.add_argument("--units", choices=("nats", "bits"), default="nats")


def load_problem(args):
    """The Problem the options describe."""
    from engine.presets import load_preset
    from engine.problem import Problem

    changes = {}
    if args.metric is not None:
        changes["metric"] = args.metric
    if args.constraint is not None:
        changes["constraint"] = args.constraint
    if args.label_cost is not None:
        changes["label_cost"] = args.label_cost
    if args.preset is not None:
        if "metric" in changes and changes["metric"].strip().lower() not in ("abs", "squared", "hamming"):
            from engine.files import read_metric_csv

            changes["metric"] = read_metric_csv(changes["metric"])
        return load_preset(args.preset, normalise=args.normalise, **changes)
    changes.setdefault("metric", "squared")
    changes.setdefault("constraint", "expected")
    return Problem.from_csv(args.mu, normalise=args.normalise, **changes)


def parse_eps(text: str) -> float:
    """A single non-negative budget."""
    from engine.problem import check_eps

    return check_eps(text, "--eps")


def parse_range(text: str, what: str) -> np.ndarray:
    """A grid A:B:N (N points from A to B) or a comma-separated list of budgets."""
    from engine.problem import check_eps, check_eps_values

    if ":" in text:
        parts = text.split(":")
        if len(parts) != 3:
            raise ProblemError(f"{what} must look like A:B:N (from A to B in N points); got {text!r}.")
        a, b = check_eps(parts[0], what), check_eps(parts[1], what)
        try:
            count = int(parts[2])
        except ValueError:
            raise ProblemError(f"{what}: the number of points N must be a whole number; got {parts[2]!r}.") from None
        if not 1 <= count <= 10_000:
            raise ProblemError(f"{what}: the number of points N must be between 1 and 10000; got {count}.")
        if b < a:
            raise ProblemError(f"{what}: the end {b:g} is below the start {a:g}.")
        return np.linspace(a, b, count)
    return check_eps_values([s for s in text.split(",") if s.strip()] or [text], what)


def _rows(table: np.ndarray, units: str | None = None) -> list:
    return (to_units(table, units) if units else table).tolist()


def cmd_solve(args) -> dict:
    """Certified h*, worst-case nu*, robust rule q* at one budget."""
    from engine import robust_rule, worst_case

    problem = load_problem(args)
    eps = parse_eps(args.eps)
    w, r = worst_case(problem, eps), robust_rule(problem, eps)
    u = args.units
    return {
        "h_star": to_units(w.value, u),
        "robust_rule": {"positions": list(problem.positions), "labels": list(problem.labels), "q": _rows(r.q),
                        "value": to_units(r.value, u)},
        "worst_case": {"positions": list(problem.positions), "labels": list(problem.labels), "nu": _rows(w.nu),
                       "value": to_units(w.value, u),
                       "multiplier": None if w.multiplier is None else to_units(w.multiplier, u)},
        "certificate": {k: to_units(v, u) for k, v in w.certificate.as_dict().items()},
        "status": w.status,
        "units": u,
    }


def text_solve(out: dict) -> str:
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
    return "\n".join(lines).rstrip()


def cmd_sweep(args) -> dict:
    """Figure 2: every robust rule's loss under every attack."""
    from engine.tradeoff import tradeoff_grid

    problem = load_problem(args)
    g = tradeoff_grid(problem, parse_range(args.eps_rule, "--eps-rule"), parse_range(args.eps_attack, "--eps-attack"))
    u = args.units
    out = {
        "eps_rule": g.eps_rule.tolist(), "eps_attack": g.eps_attack.tolist(), "loss": _rows(g.loss, u),
        "h_star": _rows(g.h_star, u), "clean": _rows(g.clean, u), "h_y": to_units(g.h_y, u),
        "h_y_given_x": to_units(g.h_y_given_x, u), "status": g.status, "units": u,
    }
    if args.out:
        write_tidy_csv(args.out, out)
    return out


def write_tidy_csv(path: str, out: dict) -> None:
    """One row per grid point: eps_attack, eps_rule, loss (and the units)."""
    import csv

    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["eps_attack", "eps_rule", "loss", "units"])
        for i, ea in enumerate(out["eps_attack"]):
            for j, er in enumerate(out["eps_rule"]):
                w.writerow([repr(ea), repr(er), repr(out["loss"][i][j]), out["units"]])


def text_sweep(out: dict) -> str:
    """A person's view of ``sweep``: the grid with h* beside it."""
    lines = [f"L(eps_attack, eps_rule) in {out['units']}  [{out['status']}]; rows: eps_attack, columns: eps_rule",
             "attack\\rule" + "".join(f"{e:9.3g}" for e in out["eps_rule"]) + "       h*"]
    for ea, row, h in zip(out["eps_attack"], out["loss"], out["h_star"], strict=True):
        lines.append(f"{ea:11.3g}" + "".join(f"{v:9.4f}" for v in row) + f"{h:9.4f}")
    return "\n".join(lines)


def cmd_deterministic(args) -> dict:
    """Sec. V-A: stochastic h*, (20) and (21) with the best deterministic map."""
    from engine.deterministic import deterministic_gap

    problem = load_problem(args)
    d = deterministic_gap(problem, parse_eps(args.eps))
    u = args.units
    best_map = [[None if z < 0 else problem.positions[z] for z in row] for row in d.best_map]
    return {
        "stochastic": to_units(d.stochastic, u), "pure_minimax": to_units(d.pure_minimax, u),
        "pure_maximin": to_units(d.pure_maximin, u), "best_map": best_map,
        "maximin": d.maximin_label, "status": d.status, "units": u,
    }


def text_deterministic(out: dict) -> str:
    """A person's view of ``deterministic``."""
    u = out["units"]
    return "\n".join([
        f"stochastic attacker, h*           = {out['stochastic']:.6f} {u}  [{out['status']}]",
        f"pure attacker playing second (20) = {out['pure_minimax']:.6f} {u}",
        f"pure attacker playing first (21)  = {out['pure_maximin']:.6f} {u}  [{out['maximin']}]",
        f"best map g(x, y) (rows x, columns y; '-' where mu = 0): {out['best_map']}",
    ])


def cmd_privacy_curve(args) -> dict:
    """Least leakage I(Y; Z) = H(Y) - h*(eps) for each budget (Lemma 1)."""
    from engine.tradeoff import privacy_curve

    problem = load_problem(args)
    c = privacy_curve(problem, parse_range(args.eps, "--eps"))
    u = args.units
    return {"eps": c.eps.tolist(), "h_star": _rows(c.h_star, u), "leakage": _rows(c.leakage, u),
            "status": c.status, "units": u}


def text_privacy_curve(out: dict) -> str:
    """A person's view of ``privacy-curve``."""
    lines = [f"{'eps':>10} {'h*':>12} {'leakage':>12}   ({out['units']}, {out['status']})"]
    rows = zip(out["eps"], out["h_star"], out["leakage"], strict=True)
    lines += [f"{e:10.4g} {h:12.6f} {v:12.6f}" for e, h, v in rows]
    return "\n".join(lines)


def cmd_accuracy(args) -> dict:
    """Tsipras et al.: the natural and robust rules, the Pareto frontier over the family, the theorem's bound."""
    from engine.accuracy import (
        accuracy_frontier,
        natural_rule_accuracy,
        robust_rule_accuracy,
        tradeoff_bound,
        tradeoff_factor,
    )

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


def text_accuracy(out: dict) -> str:
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


def cmd_certify(args) -> dict:
    """Certified l2 radii for the same scores and Gaussian noise: randomized smoothing and PixelDP."""
    from engine.certify import pixeldp_gaussian, smoothing_radius

    return {
        "smoothing_radius": smoothing_radius(args.p_a, args.p_b, args.sigma),
        "pixeldp_radius": pixeldp_gaussian(args.p_a, args.p_b, args.sigma, delta=args.delta).radius,
    }


def text_certify(out: dict) -> str:
    """A person's view of ``certify``."""
    return "\n".join([
        f"randomized smoothing (Cohen et al.)  l2 radius = {out['smoothing_radius']:.6g}",
        f"PixelDP, Gaussian (Lecuyer et al.)   l2 radius = {out['pixeldp_radius']:.6g}",
    ])


def cmd_batch(args) -> dict:
    """Many problems x kinds x an eps grid, resumable, into one tidy table (engine.batch)."""
    from engine.batch import run_batch

    if args.scheduler is not None and args.workers is not None:
        raise ProblemError("--workers sets the local processes; a Dask cluster at --scheduler has its own workers.")
    workers = None
    if args.workers is not None:
        try:
            workers = int(args.workers)
        except ValueError:
            raise ProblemError(f"--workers must be a whole number >= 1; got {args.workers!r}.") from None
    s = run_batch(args.config, args.out, workers=workers, scheduler=args.scheduler, format=args.format,
                  progress=not args.quiet)
    if s.unfinished:
        raise Unfinished(f"{s.unfinished} of {s.tasks} tasks are unfinished ({s.reason}); run the same command "
                         f"again to resume: the {s.tasks - s.unfinished} finished ones are kept in {args.out!r}.",
                         s.as_dict())
    return s.as_dict()


def text_batch(out: dict) -> str:
    """A person's view of ``batch``."""
    where = "a Dask cluster" if out["backend"] == "dask" else f"{out['workers']} {out['backend']} worker(s)"
    statuses = ", ".join(f"{v} {k}" for k, v in out["statuses"].items())
    return "\n".join([
        f"{out['tasks']} tasks: {out['done']} solved, {out['skipped']} skipped (already finished), "
        f"{out['failed']} failed; {out['seconds']:.1f} s on {where}",
        f"{out['rows']} rows ({statuses or 'none'}) in {out['units']}: {out['table']}",
    ])


def cmd_presets(args) -> dict:
    """The named problems."""
    from engine.presets import preset_info, preset_names

    return {name: preset_info(name).title for name in preset_names()}


COMMANDS = {
    "solve": (cmd_solve, text_solve, "certified h*, worst case and robust rule at one eps"),
    "sweep": (cmd_sweep, text_sweep, "Figure 2: each robust rule's loss under each attack"),
    "deterministic": (cmd_deterministic, text_deterministic, "stochastic versus deterministic attacker (max kind)"),
    "privacy-curve": (cmd_privacy_curve, text_privacy_curve, "least leakage I(Y;Z) against distortion eps"),
    "accuracy": (cmd_accuracy, text_accuracy, "Tsipras et al.: standard versus adversarial accuracy of linear rules"),
    "certify": (cmd_certify, text_certify, "certified l2 radius: randomized smoothing versus PixelDP"),
    "batch": (cmd_batch, text_batch, "many problems x kinds x an eps grid, resumable, into one tidy table"),
    "presets": (cmd_presets, lambda out: "\n".join(f"{k:30s} {v}" for k, v in out.items()), "list the named problems"),
}
MODULES = (cli_concentration, cli_robust_mean)  # one module a command (LAYOUT.md); they move under engine/cli/ later
COMMANDS.update({m.NAME: (m.run, m.text, m.HELP) for m in MODULES})


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command."""
    parser = _Parser(prog="python -m engine", description="Tradeoff Lab's certified engine.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    solve = sub.add_parser("solve", help=COMMANDS["solve"][2])
    add_problem_options(solve)
    solve.add_argument("--eps", required=True, help="the budget eps >= 0")
    solve.add_argument("--json", action="store_true", help="print JSON")
    sweep = sub.add_parser("sweep", help=COMMANDS["sweep"][2])
    add_problem_options(sweep)
    sweep.add_argument("--eps-rule", required=True, metavar="A:B:N", help="the rules' budgets (or a list a,b,c)")
    sweep.add_argument("--eps-attack", required=True, metavar="A:B:N", help="the attacks' budgets")
    sweep.add_argument("--json", action="store_true")
    sweep.add_argument("--out", metavar="FILE.csv", help="also write a tidy table eps_attack, eps_rule, loss")
    det = sub.add_parser("deterministic", help=COMMANDS["deterministic"][2])
    add_problem_options(det)
    det.add_argument("--eps", required=True)
    det.add_argument("--json", action="store_true")
    curve = sub.add_parser("privacy-curve", help=COMMANDS["privacy-curve"][2])
    add_problem_options(curve)
    curve.add_argument("--eps", required=True, metavar="A:B:N")
    curve.add_argument("--json", action="store_true")
    accuracy = sub.add_parser("accuracy", help=COMMANDS["accuracy"][2])
    accuracy.add_argument("--p", required=True, help="P[x_1 = y], the robust feature's reliability, in [0, 1]")
    accuracy.add_argument("--eta", required=True, help="the weak features' mean eta > 0")
    accuracy.add_argument("--d", required=True, help="the number of weak features, a whole number >= 1")
    accuracy.add_argument("--eps", required=True, help="the l_inf attack radius eps >= 0")
    accuracy.add_argument("--points", default="1001", metavar="N", help="angles theta on [0, pi/2] (default 1001)")
    accuracy.add_argument("--json", action="store_true")
    certify = sub.add_parser("certify", help=COMMANDS["certify"][2])
    certify.add_argument("--p-a", required=True, metavar="PA", help="the top label's expected score p_A")
    certify.add_argument("--p-b", required=True, metavar="PB", help="the runner-up's expected score p_B")
    certify.add_argument("--sigma", required=True, help="the Gaussian noise scale sigma > 0")
    certify.add_argument("--delta", default="1e-5", help="PixelDP's delta in (0, 1) (default 1e-5)")
    certify.add_argument("--json", action="store_true")
    batch = sub.add_parser("batch", help=COMMANDS["batch"][2])
    batch.add_argument("config", metavar="CONFIG", help="a JSON or TOML batch config (see docs/batch.md)")
    batch.add_argument("--out", required=True, metavar="DIR", help="the output folder: parts/ and results.*")
    batch.add_argument("--format", choices=("parquet", "csv"), default="parquet", help="the table's format")
    batch.add_argument("--workers", metavar="N", help="local worker processes (default: the CPU count)")
    batch.add_argument("--scheduler", metavar="ADDRESS", help="a dask.distributed scheduler, e.g. tcp://host:8786")
    batch.add_argument("--quiet", action="store_true", help="no progress bar on stderr")
    batch.add_argument("--json", action="store_true", help="print the summary as JSON")
    presets = sub.add_parser("presets", help=COMMANDS["presets"][2])
    presets.add_argument("--json", action="store_true")
    for module in MODULES:
        command = sub.add_parser(module.NAME, help=module.HELP)
        module.add_arguments(command)
        command.add_argument("--json", action="store_true", help="print JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; return the exit status."""
    try:
        args = build_parser().parse_args(argv)
        run, show, _ = COMMANDS[args.command]
        try:
            out, status = run(args), 0
        except Unfinished as partial:
            out, status = partial.out, EXIT_UNFINISHED
            print(f"error: {partial}", file=sys.stderr)
        print(json.dumps(out, allow_nan=True) if args.json else show(out))
        return status
    except ProblemError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as error:
        where = f" {error.filename!r}" if getattr(error, "filename", None) else ""
        print(f"error: cannot read{where}: {error.strerror or error}.", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # noqa: BLE001 - never a traceback for a user; TRADEOFF_DEBUG=1 shows it
        if os.environ.get("TRADEOFF_DEBUG"):
            raise
        print(f"internal error: {type(error).__name__}: {error} (please report it; TRADEOFF_DEBUG=1 shows details).",
              file=sys.stderr)
        return 1
