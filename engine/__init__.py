"""Tradeoff Lab's engine: certified solutions of the paper's max-conditional-entropy problem (15),
the robust rule (13) and the analyses built on them. Pure numerics: no Streamlit, no Plotly."""

from engine.adversary import WorstCase, worst_case
from engine.certificate import Certificate
from engine.errors import ProblemError
from engine.loss import rule_loss
from engine.presets import load_preset, preset_info, preset_names
from engine.problem import Problem
from engine.rules import RobustRule, robust_rule

__all__ = [
    "Certificate", "Problem", "ProblemError", "RobustRule", "WorstCase",
    "load_preset", "preset_info", "preset_names", "robust_rule", "rule_loss", "worst_case",
]
