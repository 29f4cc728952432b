"""Entropies, divergences and mutual information of finite pmfs, in nats (scipy.special underneath).

Conventions: 0 log 0 = 0; tables are joint pmfs nu(x, y) with rows x and columns y.
"""

from __future__ import annotations

import numpy as np
from scipy.special import entr, rel_entr

NATS_PER_BIT = float(np.log(2.0))


def entropy(p) -> float:
    """H(p) = -sum_i p_i log p_i."""
    return float(np.sum(entr(np.asarray(p, dtype=float))))


def conditional_entropy(joint) -> float:
    """H(Y|X) = -sum_{x,y} nu(x,y) log(nu(x,y) / nu(x)) for a joint table nu[x, y].

    Never negative: a deterministic table gives +0.0 (not -0.0, nor -1e-17 from rounding in nu(x))."""
    nu = np.asarray(joint, dtype=float)
    nu_x = nu.sum(axis=1, keepdims=True)
    return max(0.0, float(-np.sum(rel_entr(nu, np.broadcast_to(nu_x, nu.shape)))))


def label_entropy(joint) -> float:
    """H(Y) of a joint table nu[x, y]."""
    return entropy(np.asarray(joint, dtype=float).sum(axis=0))


def mutual_information(joint) -> float:
    """I(X; Y) = H(Y) - H(Y|X) of a joint table nu[x, y]."""
    return label_entropy(joint) - conditional_entropy(joint)


def conditional_kl(joint, q) -> float:
    """KL(nu_{Y|X} || q | nu_X) = sum_{x,y} nu(x,y) log(nu(y|x) / q(y|x)); inf where q = 0 < nu."""
    nu = np.asarray(joint, dtype=float)
    nu_x = nu.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        posterior = np.where(nu > 0, nu / np.where(nu_x > 0, nu_x, 1.0), 0.0)
    return float(np.sum(nu_x * rel_entr(posterior, np.asarray(q, dtype=float))))


def cross_entropy(joint, q) -> float:
    """L(nu, q) = E_nu[-log q(Y|X)] (8); inf where q = 0 < nu."""
    nu = np.asarray(joint, dtype=float)
    with np.errstate(divide="ignore"):
        loss = -np.log(np.asarray(q, dtype=float))
    return float(np.sum(nu[nu > 0] * loss[nu > 0]))


def to_units(value, units: str):
    """Convert nats to ``units`` ('nats' or 'bits'); arrays and inf pass through."""
    if units == "nats":
        return value
    if units == "bits":
        return np.asarray(value, dtype=float) / NATS_PER_BIT if np.ndim(value) else float(value) / NATS_PER_BIT
    raise ValueError(f"Unknown units {units!r}: choose nats or bits.")
