"""``python -m engine presets``: the named problems."""

from __future__ import annotations

from engine.cli.options import add_json_option
from engine.io.presets import preset_info, preset_names

NAME = "presets"
HELP = "list the named problems"


def add_arguments(p) -> None:
    """The command's options."""
    add_json_option(p)


def run(args) -> dict:
    """The named problems and their titles."""
    return {name: preset_info(name).title for name in preset_names()}


def text(out: dict) -> str:
    """One line per preset."""
    return "\n".join(f"{k:30s} {v}" for k, v in out.items())
