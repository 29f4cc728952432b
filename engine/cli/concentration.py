"""``python -m engine concentration``: a cap E of measure P on the unit sphere S^(D-1) in R^D, the exact measure of
its Euclidean (chordal) DELTA-expansion against the notes' bound 1 - 2 exp(-D DELTA^2 / 2) (engine.context.
concentration); with --samples, a seeded Monte Carlo check on that many uniform points.

One module per command (docs/design.md, "Command line"): NAME, HELP, add_arguments, run, text.
"""

from __future__ import annotations

from engine.cli.options import add_json_option, parse_whole
from engine.context import concentration as c
from engine.core.checks import check_probability

NAME = "concentration"
HELP = "adversarial spheres: the exact measure of a cap's delta-expansion against 1 - 2 exp(-d delta^2 / 2)"


def add_arguments(parser) -> None:
    """--dim, --measure, --delta; --samples and --seed for the Monte Carlo check."""
    parser.add_argument("--dim", required=True, metavar="D", help="the dimension D >= 2 of R^D (the sphere S^(D-1))")
    parser.add_argument("--measure", required=True, metavar="P", help="the cap's measure P in [0, 1]")
    parser.add_argument("--delta", required=True, metavar="DELTA", help="the Euclidean (chordal) radius DELTA >= 0")
    parser.add_argument("--samples", default="0", metavar="N", help="uniform points for a Monte Carlo check (0: none)")
    parser.add_argument("--seed", default="0", metavar="K", help="the Monte Carlo seed, a whole number >= 0")
    add_json_option(parser)


def run(args) -> dict:
    """The expansion, the bounds, the average distance to the cap and, with --samples, the Monte Carlo check."""
    d = c.check_dimension(args.dim, "--dim")
    p = check_probability(args.measure, "--measure")
    delta = c.check_delta(args.delta, "--delta")
    samples, seed = parse_whole(args.samples, "--samples"), parse_whole(args.seed, "--seed")
    e = c.cap_expansion(d, p, delta)
    out = {
        "expansion": e.expansion, "complement": e.complement, "bound": e.bound, "bound_applies": e.bound_applies,
        "shifted_bound": e.shifted_bound, "dim": d, "measure": p, "delta": delta, "distance": c.DISTANCE,
        "cap_angle": e.cap_angle, "expansion_angle": e.angle, "mean_distance": c.mean_distance_to_cap(d, p),
        "gaussian_limit": c.gaussian_limit(d, p), "notes_scale": c.notes_scale(d, p),
        "distance_bound": c.distance_bound(d, p), "status": e.status,
    }
    if samples:
        s = c.simulate_sphere(d, p, delta, samples=samples, seed=seed)
        out["monte_carlo"] = {
            "samples": s.samples, "seed": seed, "in_cap": s.in_cap, "in_expansion": s.in_expansion,
            "mean_distance": s.distance, "mean_distance_se": s.distance_se,
            "standard_errors": {"cap": s.cap_gap(p), "expansion": s.expansion_gap(e.expansion),
                                "mean_distance": s.distance_gap(out["mean_distance"])}}
    return out


def _number(value) -> str:
    return "n/a" if value is None else f"{value:.9g}"


def text(out: dict) -> str:
    """A person's view."""
    lines = [
        f"cap E of measure {out['measure']:g} on S^{out['dim'] - 1} in R^{out['dim']}: angular radius "
        f"{out['cap_angle']:.6g} rad",
        f"{out['distance']} delta = {out['delta']:g}: E_delta is the cap of angle {out['expansion_angle']:.6g} rad",
        f"sigma(E_delta)            = {out['expansion']:.9g}   [exact; 1 - it = {out['complement']:.6g}]",
        f"bound 1 - 2 exp(-d d^2/2) = {_number(out['bound'])}" + ("" if out["bound_applies"] else
                                                                 "   (needs sigma(E) >= 1/2)"),
        f"shifted bound (any p)     = {out['shifted_bound']:.9g}",
        f"average distance to E     = {out['mean_distance']:.9g}   (Gaussian limit {out['gaussian_limit']:.6g}, "
        f"notes' scale {_number(out['notes_scale'])}, ceiling for any set {out['distance_bound']:.6g})",
    ]
    mc = out.get("monte_carlo")
    if mc:
        se = mc["standard_errors"]
        lines.append(f"Monte Carlo, {mc['samples']} points, seed {mc['seed']}: in E {mc['in_cap']:.6g} "
                     f"({se['cap']:.2f} SE), in E_delta {mc['in_expansion']:.6g} ({se['expansion']:.2f} SE), "
                     f"mean distance {mc['mean_distance']:.6g} ({se['mean_distance']:.2f} SE)")
    return "\n".join(lines)
