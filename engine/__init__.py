"""Tradeoff Lab's engine: certified solutions of the paper's max-conditional-entropy problem (15),
the robust rule (13) and the analyses built on them. Pure numerics: no Streamlit, no Plotly."""

from engine.accuracy import (
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
from engine.adversary import WorstCase, worst_case
from engine.batch import run_batch  # issue 7: batch sweeps (engine.batch)
from engine.certificate import Certificate
from engine.certify import (
    DiscClassifier,
    LinearClassifier,
    PixelDPCertificate,
    RadiusComparison,
    SmoothedCertificate,
    certify_smoothed,
    compare_radii,
    gaussian_mechanism_radius,
    pixeldp_gaussian,
    pixeldp_laplace,
    radius_curves,
    smoothed_radius,
    smoothing_radius,
)
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
from engine.context.robust_statistics import (
    CorruptionStudy,
    ShiftSweep,
    breakdown_points,
    corruption_study,
    shift_sweep,
    worst_case_errors,
)
from engine.context.tukey import DepthRegions, depth_regions, tukey_depth
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
    # Tsipras et al. (ICLR 2019): engine.accuracy
    "AccuracyFrontier", "RuleAccuracy", "SimulatedAccuracy", "accuracy_curve", "accuracy_frontier",
    "adversarial_accuracy",
    "natural_rule_accuracy", "robust_rule_accuracy", "rule_accuracy", "simulate_accuracy", "standard_accuracy",
    "tradeoff_bound", "RuleCurves", "rule_curves", "tradeoff_factor",
    # Lecuyer et al. (S&P 2019) and Cohen et al. (ICML 2019): engine.certify
    "DiscClassifier", "LinearClassifier", "PixelDPCertificate", "RadiusComparison", "SmoothedCertificate",
    "certify_smoothed", "compare_radii", "gaussian_mechanism_radius", "pixeldp_gaussian", "pixeldp_laplace",
    "radius_curves", "smoothed_radius", "smoothing_radius",
    # concentration of measure, adversarial spheres (seeds/004): engine.context.concentration
    "DistanceCurve", "Expansion", "ExpansionCurve", "SphereSimulation", "cap_angle", "cap_distance_curve",
    "cap_expansion", "cap_expansion_curve", "cap_measure", "mean_distance_to_cap", "simulate_sphere",
    # robust statistics under corruption (seeds/004): engine.context.robust_statistics, high_dimensional, tukey
    "CorruptionStudy", "DepthRegions", "DimensionSweep", "RobustMean", "ShiftSweep", "breakdown_points",
    "corruption_study", "depth_regions", "dimension_sweep", "filtered_mean", "robust_mean", "shift_sweep",
    "tukey_depth", "worst_case_errors",
    # batch sweeps: engine.batch
    "run_batch",
]
