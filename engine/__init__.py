"""Tradeoff Lab's engine: certified solutions of the paper's max-conditional-entropy problem (15), the robust rule
(13) and the analyses built on them. Pure numerics: no Streamlit, no Plotly.

This module is the flat public facade; the code lives in layers (docs/design.md, "Layers"): ``core`` (the paper's
objects) -> ``bounds`` (the certificate's halves) -> ``solvers`` -> ``analyses``, with ``context`` (the other
texts' models), ``io`` (presets, scenarios), ``formats`` (text formats) and ``batch`` beside them.
"""

from engine.analyses.deterministic import DeterministicGap, deterministic_gap, map_segment
from engine.analyses.error_grid import ErrorGrid, clean_rule, error_grid
from engine.analyses.privacy import PrivacyCurve, privacy_curve
from engine.analyses.robust_error import RobustError, RobustErrorCurve, robust_error, rule_error
from engine.analyses.robust_rule import RobustRule, robust_rule
from engine.analyses.rule_loss import rule_loss
from engine.analyses.tradeoff import CleanVersusRobust, TradeoffGrid, clean_vs_robust, tradeoff_grid
from engine.analyses.worst_case import WorstCase, worst_case
from engine.batch.run import run_batch
from engine.bounds.result import Certificate, Certified, Status
from engine.context.concentration import (
    DistanceCurve,
    Expansion,
    ExpansionCurve,
    SphereSimulation,
    cap_angle,
    cap_distance_curve,
    cap_expansion,
    cap_expansion_curve,
    cap_measure,
    mean_distance_to_cap,
    simulate_sphere,
)
from engine.context.high_dimensional import DimensionSweep, RobustMean, dimension_sweep, filtered_mean, robust_mean
from engine.context.pixeldp import PixelDPRadius, gaussian_mechanism_radius, pixeldp_gaussian, pixeldp_laplace
from engine.context.robust_statistics import (
    BreakdownCurve,
    CorruptionStudy,
    ShiftSweep,
    breakdown_curve,
    breakdown_points,
    corruption_study,
    shift_sweep,
    worst_case_errors,
)
from engine.context.smoothing import (
    RadiusComparison,
    SmoothedRadii,
    certify_smoothed,
    compare_radii,
    radius_curves,
    smoothed_radius,
    smoothing_radius,
)
from engine.context.toy_classifiers import DiscClassifier, LinearClassifier
from engine.context.tsipras import (
    AccuracyFrontier,
    RuleAccuracy,
    RuleCurves,
    SimulatedAccuracy,
    accuracy_curve,
    accuracy_frontier,
    adversarial_accuracy,
    natural_rule_accuracy,
    robust_rule_accuracy,
    rule_accuracy,
    rule_curves,
    simulate_accuracy,
    standard_accuracy,
    tradeoff_bound,
    tradeoff_factor,
)
from engine.context.tukey import DepthRegions, PlaneStudy, depth_regions, plane_study, tukey_depth
from engine.core.information import to_units
from engine.core.problem import Problem
from engine.errors import ProblemError
from engine.io.presets import load_preset, preset_info, preset_names
from engine.io.scenario import problem_from_json, problem_to_json
from engine.solvers.chain import Attempt, chain_override, clear_cache, solve_saddle

__all__ = [
    "Certificate", "Certified", "CleanVersusRobust", "DeterministicGap", "PrivacyCurve", "Problem", "ProblemError",
    "RobustRule", "Status", "TradeoffGrid", "WorstCase", "clean_vs_robust", "deterministic_gap", "load_preset",
    "map_segment", "preset_info", "preset_names", "privacy_curve", "problem_from_json", "problem_to_json",
    "robust_rule", "rule_loss", "to_units", "tradeoff_grid", "worst_case",
    # robust accuracy, the 0-1 loss (engine.analyses.robust_error, .error_grid)
    "ErrorGrid", "RobustError", "RobustErrorCurve", "clean_rule", "error_grid", "robust_error", "rule_error",
    # the solver chain (engine.solvers.chain): injectable, cached
    "Attempt", "chain_override", "clear_cache", "solve_saddle",
    # Tsipras et al. (ICLR 2019): engine.context.tsipras
    "AccuracyFrontier", "RuleAccuracy", "SimulatedAccuracy", "accuracy_curve", "accuracy_frontier",
    "adversarial_accuracy",
    "natural_rule_accuracy", "robust_rule_accuracy", "rule_accuracy", "simulate_accuracy", "standard_accuracy",
    "tradeoff_bound", "RuleCurves", "rule_curves", "tradeoff_factor",
    # Lecuyer et al. (S&P 2019) and Cohen et al. (ICML 2019): engine.context.pixeldp, .smoothing, .toy_classifiers
    "DiscClassifier", "LinearClassifier", "PixelDPRadius", "RadiusComparison", "SmoothedRadii",
    "certify_smoothed", "compare_radii", "gaussian_mechanism_radius", "pixeldp_gaussian", "pixeldp_laplace",
    "radius_curves", "smoothed_radius", "smoothing_radius",
    # concentration of measure, adversarial spheres (seeds/004): engine.context.concentration
    "DistanceCurve", "Expansion", "ExpansionCurve", "SphereSimulation", "cap_angle", "cap_distance_curve",
    "cap_expansion", "cap_expansion_curve", "cap_measure", "mean_distance_to_cap", "simulate_sphere",
    # robust statistics under corruption (seeds/004): engine.context.robust_statistics, high_dimensional, tukey
    "BreakdownCurve", "CorruptionStudy", "DepthRegions", "DimensionSweep", "PlaneStudy", "RobustMean", "ShiftSweep",
    "breakdown_curve", "breakdown_points", "corruption_study", "depth_regions", "dimension_sweep", "filtered_mean",
    "plane_study", "robust_mean", "shift_sweep", "tukey_depth", "worst_case_errors",
    # batch sweeps: engine.batch
    "run_batch",
]
