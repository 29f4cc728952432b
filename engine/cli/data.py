"""``python -m engine data``: the limits of robustness on a data set, certified, beside real models
(``engine.analyses.data_limits``; docs/design.md, "Data").

    python -m engine data --dataset iris --features 2,3 --bins 20 --eps 0:1:21 --json
    python -m engine data --csv samples.csv --label species --features a,b --cost sql2 --eps 0:0.5:11 --json
    -> {"samples_used", "bins", "separation": {"l2", "linf"}, "eps", "h_star", "robust_error",
        "models": {NAME: {"loss": [...], "error": [...]}}, ...}

``h_star`` and ``robust_error`` are the certified lower bounds (attained by feasible plans); ``h_star_upper``,
``robust_error_upper`` and ``status`` give each budget's certificate. A model's ``loss`` is its exact worst-case
cross-entropy (in ``--units``) and ``error`` its classifier's exact worst-case 0-1 error. ``--rule NAME=FILE``
adds a model's own probabilities on the grid (``engine.io.rule_table``: ``--grid FILE`` writes the template).
``--out FILE.csv`` also writes a tidy table: one row per (eps, rule).
"""

from __future__ import annotations

import csv

from engine.analyses.data_limits import DataLimits, data_limits
from engine.analyses.data_models import MODELS
from engine.cli.options import add_json_option, parse_range
from engine.core.information import to_units
from engine.errors import ProblemError
from engine.io.binning import COSTS, METHODS, from_samples
from engine.io.rule_table import grid_table, read_rule_table
from engine.io.samples import DATASETS, load_dataset, read_samples_csv

NAME = "data"
HELP = "the best robust loss and error any classifier can reach on a data set, certified, beside real models"


def add_arguments(p) -> None:
    """The command's options."""
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--dataset", choices=DATASETS, help="a data set bundled with scikit-learn")
    source.add_argument("--csv", metavar="FILE", help="a CSV file of samples: a header, then one row per sample")
    p.add_argument("--label", metavar="COLUMN", help="the CSV file's label column (default: the last column)")
    p.add_argument("--features", default=None, metavar="A,B|pca",
                   help="one or two feature columns (0-based numbers or names), or pca (default: the first two)")
    p.add_argument("--bins", default="20", metavar="N[,M]", help="intervals per axis, 2 to 30 (default 20)")
    p.add_argument("--binning", choices=METHODS, default="uniform", help="equal widths or equal counts")
    p.add_argument("--cost", choices=COSTS, default="l2", help="the cost between bin centres (default l2)")
    p.add_argument("--constraint", choices=("expected", "max", "joint"), default="expected",
                   help="the kind of constraint set D(eps) (default expected)")
    p.add_argument("--eps", required=True, metavar="A:B:N", help="the budgets (or a list a,b,c)")
    p.add_argument("--models", default=",".join(MODELS), help=f"models to train (default {','.join(MODELS)}; "
                                                               "'none' for none)")
    p.add_argument("--rule", action="append", default=[], metavar="NAME=FILE",
                   help="a model's probabilities on the grid (CSV: cell, coordinates, one column per label)")
    p.add_argument("--grid", metavar="FILE.csv", help="write the grid's cells (the template for --rule) and stop")
    p.add_argument("--drop-bad-rows", action="store_true",
                   help="leave out rows with a missing or non-numeric value or a label seen once (listed)")
    p.add_argument("--units", choices=("nats", "bits"), default="nats")
    add_json_option(p)
    p.add_argument("--out", metavar="FILE.csv", help="also write a tidy table: eps, rule, loss, error, ...")


def load(args):
    """The binned problem the options describe."""
    if args.dataset is not None:
        if args.label is not None:
            raise ProblemError("--label names the label column of a --csv file; a bundled data set has its own.")
        samples = load_dataset(args.dataset)
    else:
        samples = read_samples_csv(args.csv, label=args.label, name=f"the file {args.csv!r}")
    bins = [b.strip() for b in str(args.bins).split(",")]
    try:
        counts = [int(b) for b in bins]
    except ValueError:
        raise ProblemError(f"--bins must be one or two whole numbers (N or N,M); got {args.bins!r}.") from None
    return from_samples(samples, features=args.features, bins=counts[0] if len(counts) == 1 else counts,
                        cost=args.cost, method=args.binning, drop_bad_rows=args.drop_bad_rows,
                        constraint=args.constraint)


def run(args) -> dict:
    """The JSON-ready analysis."""
    problem = load(args)
    if args.grid:
        with open(args.grid, "w", newline="") as f:
            f.write(grid_table(problem.binning))
        return {"grid": args.grid, "cells": problem.n, "bins": list(problem.binning.bins),
                "labels": list(problem.labels)}
    models = [] if args.models.strip().lower() == "none" else args.models
    rules = {}
    for item in args.rule:
        name, sep, path = item.partition("=")
        if not sep or not name.strip() or not path.strip():
            raise ProblemError(f"--rule must be NAME=FILE; got {item!r}.")
        rules[name.strip()] = read_rule_table(path.strip(), problem.binning, name=f"the table {path.strip()!r}")
    limits = data_limits(problem, parse_range(args.eps, "--eps"), models=models, rules=rules)
    out = as_dict(problem, limits, args.units)
    if args.out:
        write_tidy_csv(args.out, out)
    return out


def as_dict(problem, limits: DataLimits, units: str) -> dict:
    """The public keys (docs/design.md, "Command line") and the certificates beside them."""
    b = problem.binning
    r = limits.radius
    return {
        "source": b.source, "axes": list(b.axes), "cost": b.cost, "binning": b.method, "constraint": problem.constraint,
        "samples_used": limits.samples_used, "rows_total": b.rows_total,
        "refused": [{"row": row, "reason": why} for row, why in b.refused], "notes": list(b.notes),
        "bins": list(limits.bins), "labels": list(problem.labels),
        "separation": {"l2": limits.separation.l2, "linf": limits.separation.linf,
                       "memorising_radius": {"l2": limits.separation.l2 / 2, "linf": limits.separation.linf / 2},
                       "consequence": limits.separation.consequence()},
        "zero_error_radius": {"cost": r.cost, "l2": r.l2, "linf": r.linf, "checked": r.checked},
        "eps": limits.eps.tolist(),
        "h_star": to_units(limits.h_star, units).tolist(),
        "h_star_upper": to_units(limits.h_star_upper, units).tolist(),
        "robust_error": limits.robust_error.tolist(), "robust_error_upper": limits.errors.upper.tolist(),
        "status": [str(s) for s in limits.statuses],
        "models": {name: {"title": m.title, "loss": to_units(m.loss, units).tolist(), "error": m.error.tolist(),
                          "train_accuracy": m.train_accuracy} for name, m in limits.models.items()},
        "units": units,
    }


def write_tidy_csv(path: str, out: dict) -> None:
    """One row per (eps, rule): the ideal's bounds, each model's exact loss and error."""
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["eps", "rule", "loss", "loss_upper", "error", "error_upper", "status", "units"])
        for k, e in enumerate(out["eps"]):
            w.writerow([repr(e), "ideal", repr(out["h_star"][k]), repr(out["h_star_upper"][k]),
                        repr(out["robust_error"][k]), repr(out["robust_error_upper"][k]), out["status"][k],
                        out["units"]])
            for name, m in out["models"].items():
                w.writerow([repr(e), name, repr(m["loss"][k]), repr(m["loss"][k]), repr(m["error"][k]),
                            repr(m["error"][k]), "exact", out["units"]])


def text(out: dict) -> str:
    """A person's view: the data, the separation, then the curves side by side."""
    if "grid" in out:
        return f"wrote the {out['cells']} cells of the grid ({' x '.join(map(str, out['bins']))}) to {out['grid']}"
    sep = out["separation"]
    lines = [f"{out['source']}: {' and '.join(out['axes'])}, {' x '.join(map(str, out['bins']))} {out['binning']} "
             f"bins, {out['cost']} cost, {out['constraint']} kind; {out['samples_used']} of {out['rows_total']} rows "
             "used" + (f" ({len(out['refused'])} left out)" if out["refused"] else ""),
             f"separation of the samples: {sep['l2']:.4g} (l2), {sep['linf']:.4g} (l_inf). {sep['consequence']}",
             f"zero-error radius of the grid (max kind): {out['zero_error_radius']['cost']:.4g} in the cost",
             ""]
    names = list(out["models"])
    lines.append(f"{'eps':>8} {'h*':>9} {'e*':>8}  status   " + "".join(f"{n[:12]:>14}" for n in names))
    for k, e in enumerate(out["eps"]):
        cells = "".join(f"{out['models'][n]['loss'][k]:7.3f}/{out['models'][n]['error'][k]:6.3f}" for n in names)
        lines.append(f"{e:8.4g} {out['h_star'][k]:9.5f} {out['robust_error'][k]:8.5f}  {out['status'][k]:8} {cells}")
    lines.append(f"(h* and model losses in {out['units']}; each model: loss/error under attack)")
    return "\n".join(lines)
