"""The handout from the command line: one self-contained HTML file whose eps slider works offline.

    python scripts/handout.py --preset figure2 --eps 0.5 --out handout.html
    python scripts/handout.py --mu table.csv --metric abs --constraint max --grid 0:2:41 --out handout.html \\
        --link "http://lab.example:8080/worst-case?eps=0.5"

The same file as an Explore page's "Download as a standalone page" (figures/handout.py builds both). A script and
not an engine command: it needs Plotly, which the engine never imports (and figures/ solves nothing itself).
Bad input prints one sentence on stderr and exits with status 2.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import engine  # noqa: E402
from engine.cli.options import add_problem_options, load_problem, parse_eps, parse_range  # noqa: E402
from engine.errors import ProblemError  # noqa: E402
from figures.handout import eps_grid, handout_html  # noqa: E402


def _grid(problem, preset: str | None, text: str | None) -> tuple[float, ...]:
    if text:
        values = [float(v) for v in parse_range(text, "--grid")]
        return tuple(float(v) for v in np.round(values, 10))
    if preset:
        info = engine.preset_info(preset)
        return eps_grid(info.eps_min, info.eps_max)
    top = float(problem.cost.max()) + (problem.label_cost if problem.constraint == "joint" else 0.0)
    return eps_grid(0.0, float(f"{max(top, 1e-3):.2g}"))  # the pages' range for a custom table


def main(argv: list[str] | None = None) -> int:
    import engine

    parser = argparse.ArgumentParser(prog="scripts/handout.py", description=__doc__.splitlines()[0])
    add_problem_options(parser)
    parser.add_argument("--eps", type=parse_eps, help="where the slider starts (default: the preset's default)")
    parser.add_argument("--grid", metavar="A:B:N", help="the budgets (default: the page's grid, 41 points)")
    parser.add_argument("--title", default="Worst-case perturbation")
    parser.add_argument("--link", help="the live view's URL, for the link back")
    parser.add_argument("--out", type=Path, required=True, help="the HTML file to write")
    args = parser.parse_args(argv)
    try:
        problem = load_problem(args)
        grid = _grid(problem, args.preset, args.grid)
        if not grid:
            raise ProblemError("--grid gives no budget")
        default = engine.preset_info(args.preset).eps_default if args.preset else grid[0]
        eps = args.eps if args.eps is not None else default
        cases = [engine.worst_case(problem, e) for e in grid]
    except ProblemError as error:
        print(f"handout.py: {error}", file=sys.stderr)
        return 2
    source = f"--preset {args.preset}" if args.preset else f"--mu {args.mu}"
    cli = f"python -m engine privacy-curve {source} --eps {grid[0]:g}:{grid[-1]:g}:{len(grid)} --json"
    text = handout_html(problem, cases, eps, title=args.title, units=args.units, link=args.link, cli=cli)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    worst = max((w.certificate.gap for w in cases), default=math.nan)
    print(f"{args.out}: {len(text) / 1e6:.1f} MB, {len(cases)} budgets, "
          f"{sum(w.status == 'verified' for w in cases)} verified (largest gap {worst:.1e} nats)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
