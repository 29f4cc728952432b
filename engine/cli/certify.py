"""``python -m engine certify``: certified l2 radii for the same scores and Gaussian noise, smoothing and PixelDP."""

from __future__ import annotations

from engine.cli.options import add_json_option
from engine.context.pixeldp import pixeldp_gaussian
from engine.context.smoothing import smoothing_radius

NAME = "certify"
HELP = "certified l2 radius: randomized smoothing versus PixelDP"


def add_arguments(p) -> None:
    """The command's options."""
    p.add_argument("--p-a", required=True, metavar="PA", help="the top label's expected score p_A")
    p.add_argument("--p-b", required=True, metavar="PB", help="the runner-up's expected score p_B")
    p.add_argument("--sigma", required=True, help="the Gaussian noise scale sigma > 0")
    p.add_argument("--delta", default="1e-5", help="PixelDP's delta in (0, 1) (default 1e-5)")
    add_json_option(p)


def run(args) -> dict:
    """Certified l2 radii for the same scores and Gaussian noise: randomized smoothing and PixelDP."""
    return {
        "smoothing_radius": smoothing_radius(args.p_a, args.p_b, args.sigma),
        "pixeldp_radius": pixeldp_gaussian(args.p_a, args.p_b, args.sigma, delta=args.delta).radius,
    }


def text(out: dict) -> str:
    """A person's view of ``certify``."""
    return "\n".join([
        f"randomized smoothing (Cohen et al.)  l2 radius = {out['smoothing_radius']:.6g}",
        f"PixelDP, Gaussian (Lecuyer et al.)   l2 radius = {out['pixeldp_radius']:.6g}",
    ])
