"""Real models as rules on the grid: train scikit-learn classifiers on the samples, read their probabilities at
the grid points, and hand them to the exact loss of any rule (docs/design.md, "Data").

A model f is trained on the samples' standardised coordinates (the binned axes, the same space as the grid) and
its ``predict_proba`` at each grid point's centre is a rule q_f(y|x') on all of X. Two rules come of it:

- the **probabilistic** rule for the cross-entropy L(eps, q_f) = max_{nu in D(eps)} E_nu[-log q_f(Y|X')]. A model
  that gives probability 0 to a label (k-nearest neighbours, trees) would lose inf as soon as an attacker can move
  any mass there, so its probabilities are mixed with the uniform rule at weight ``SMOOTHING`` (1e-3:
  q = (1 - 1e-3) q_f + 1e-3 / m), which bounds each loss by log(1000 m) and changes no prediction;
- the **classifier** argmax_y q_f(y|x') (ties split evenly), a 0/1 table, for the worst-case 0-1 error
  e(eps, f) = max_{nu in D(eps)} E_nu[1 - f(Y|X')].

Both are exact worst cases under the attack (``engine.bounds.loss``), and both are bounded below by the ideal:
L(eps, q) >= h*(eps) and e(eps, f) >= e*(eps) for every rule (Theorem 1 and the 0-1 minimax, ``robust_error``).

Models (fixed hyper-parameters and seeds, so a run is reproducible): ``logistic`` (multinomial logistic
regression, C = 1), ``knn`` (k = 15 nearest neighbours, or fewer samples, uniform weights), ``naive_bayes``
(Gaussian naive Bayes), ``boosting`` (gradient-boosted trees, 100 stages of depth 3, learning rate 0.1,
random_state 0).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.errors import ProblemError

MODELS = ("logistic", "knn", "naive_bayes", "boosting")
TITLES = {"logistic": "logistic regression", "knn": "k-nearest neighbours", "naive_bayes": "Gaussian naive Bayes",
          "boosting": "gradient-boosted trees"}
SMOOTHING = 1e-3
NEIGHBOURS = 15


@dataclass(frozen=True, eq=False)
class ModelRule:
    """One model on the grid: its probabilities, the rule used for the cross-entropy, the classifier, and its
    accuracy on the samples it was trained on."""

    name: str
    probabilities: np.ndarray  # (n, m) predict_proba at the grid points
    rule: np.ndarray           # (n, m) the probabilities mixed with the uniform rule (module docstring)
    classifier: np.ndarray     # (n, m) argmax, ties split evenly
    train_accuracy: float


def check_models(names) -> tuple[str, ...]:
    """Model names, each one of MODELS, or a sentence."""
    if isinstance(names, str):
        names = [n for n in names.split(",") if n.strip()]
    out = []
    for name in names:
        key = str(name).strip().lower().replace("-", "_")
        if key not in MODELS:
            raise ProblemError(f"Unknown model {name!r}: choose from {', '.join(MODELS)}.")
        if key not in out:
            out.append(key)
    return tuple(out)


def train_models(points: np.ndarray, labels: np.ndarray, centres: np.ndarray, m: int,
                 names=MODELS) -> dict[str, ModelRule]:
    """Fit each model on (points, labels) and read it at the grid centres (module docstring)."""
    out = {}
    for name in check_models(names):
        model = _model(name, len(points))
        model.fit(points, labels)
        proba = np.zeros((len(centres), m))
        proba[:, model.classes_] = model.predict_proba(centres)
        out[name] = ModelRule(name=name, probabilities=proba, rule=smoothed(proba),
                              classifier=hard_rule(proba), train_accuracy=float(model.score(points, labels)))
    return out


def smoothed(q: np.ndarray, weight: float = SMOOTHING) -> np.ndarray:
    """(1 - weight) q + weight / m, each row renormalised."""
    q = np.asarray(q, dtype=float)
    q = q / q.sum(axis=1, keepdims=True)
    return (1.0 - weight) * q + weight / q.shape[1]


def hard_rule(q: np.ndarray) -> np.ndarray:
    """The classifier argmax_y q(y|x) as a 0/1 table, ties split evenly."""
    q = np.asarray(q, dtype=float)
    best = q >= q.max(axis=1, keepdims=True) * (1 - 1e-12)
    return best / best.sum(axis=1, keepdims=True)


def _model(name: str, samples: int):
    """A fresh scikit-learn estimator (imported here: scikit-learn takes seconds to import)."""
    if name == "logistic":
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=1.0, max_iter=2000)
    if name == "knn":
        from sklearn.neighbors import KNeighborsClassifier

        return KNeighborsClassifier(n_neighbors=min(NEIGHBOURS, samples))
    if name == "naive_bayes":
        from sklearn.naive_bayes import GaussianNB

        return GaussianNB()
    from sklearn.ensemble import GradientBoostingClassifier

    return GradientBoostingClassifier(n_estimators=100, max_depth=3, learning_rate=0.1, random_state=0)
