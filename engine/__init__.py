"""Tradeoff Lab's engine: certified solutions of the paper's max-conditional-entropy problem (15),
the robust rule (13) and the analyses built on them. Pure numerics: no Streamlit, no Plotly."""

from engine.adversary import WorstCase, worst_case
from engine.certificate import Certificate
from engine.deterministic import DeterministicGap, deterministic_gap, map_segment
from engine.errors import ProblemError
from engine.loss import rule_loss
from engine.presets import load_preset, preset_info, preset_names
from engine.problem import Problem
from engine.rules import RobustRule, robust_rule
from engine.tradeoff import (
    CleanVersusRobust,
    PrivacyCurve,
    TradeoffGrid,
    clean_vs_robust,
    privacy_curve,
    tradeoff_grid,
)

__all__ = [
    "Certificate", "CleanVersusRobust", "DeterministicGap", "PrivacyCurve", "Problem", "ProblemError",
    "RobustRule", "TradeoffGrid", "WorstCase", "clean_vs_robust", "deterministic_gap", "load_preset",
    "map_segment", "preset_info", "preset_names", "privacy_curve", "robust_rule", "rule_loss", "tradeoff_grid",
    "worst_case",
]
