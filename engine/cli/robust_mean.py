"""``python -m engine robust-mean``: N samples of N(0, I_D), an EPS-fraction replaced by points at Euclidean distance
S from the mean (along (1, ..., 1) / sqrt(D)); the errors of the sample mean, the coordinate-wise median, the
spectral filter and the clean points' own mean (engine.context.high_dimensional), from one seeded sample.

One module per command (docs/design.md, "Command line"): NAME, HELP, add_arguments, run, text.
"""

from __future__ import annotations

from engine.cli.options import add_json_option, parse_whole
from engine.context.high_dimensional import check_dimension, robust_mean
from engine.context.robust_statistics import check_fraction, check_samples
from engine.core.checks import check_real

NAME = "robust-mean"
HELP = "robust statistics: the mean's, median's and filter's errors when an eps-fraction sits at distance S"


def add_arguments(parser) -> None:
    """--n, --eps, --dim, --shift, --seed."""
    parser.add_argument("--n", required=True, metavar="N", help="the number of samples, a whole number >= 2")
    parser.add_argument("--eps", required=True, metavar="EPS", help="the corrupted fraction, 0 <= EPS < 1/2")
    parser.add_argument("--dim", default="1", metavar="D", help="the dimension (default 1)")
    parser.add_argument("--shift", required=True, metavar="S", help="the corrupted points' distance from the mean")
    parser.add_argument("--seed", default="0", metavar="K", help="the seed, a whole number >= 0 (default 0)")
    add_json_option(parser)


def run(args) -> dict:
    """The four errors, how many points were corrupted and what the filter removed."""
    n, eps = check_samples(args.n, "--n"), check_fraction(args.eps, "--eps")
    dim, shift = check_dimension(args.dim, "--dim"), check_real(args.shift, "--shift")
    r = robust_mean(n, eps, dim, shift, seed=parse_whole(args.seed, "--seed"))
    return {
        "mean_error": r.mean_error, "median_error": r.median_error, "filter_error": r.filter_error,
        "clean_error": r.clean_error, "corrupted": r.corrupted,
        "filter_removed": {"corrupted": r.filter_removed_corrupted, "clean": r.filter_removed_clean},
        "filter_rounds": r.filter_rounds, "n": r.n, "eps": r.eps, "dim": r.dim, "shift": r.shift, "seed": r.seed,
        "status": r.status,
    }


def text(out: dict) -> str:
    """A person's view."""
    removed = out["filter_removed"]
    return "\n".join([
        f"{out['corrupted']} of {out['n']} points (eps = {out['eps']:g}) at distance {out['shift']:g} in "
        f"R^{out['dim']}, seed {out['seed']}: errors |estimate - mu|_2",
        f"sample mean              {out['mean_error']:.6g}",
        f"coordinate-wise median   {out['median_error']:.6g}",
        f"spectral filter          {out['filter_error']:.6g}   (removed {removed['corrupted']} corrupted and "
        f"{removed['clean']} clean points in {out['filter_rounds']} rounds)",
        f"clean points' mean       {out['clean_error']:.6g}   (the oracle that knows which points are clean)",
    ])
