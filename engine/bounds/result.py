"""The result protocol: every certified answer of the engine is a frozen dataclass extending ``Certified``.

A certified result carries the budget ``eps``, a ``Certificate`` (lower <= true value <= upper, in nats), a
``Status`` and the ``method`` and ``message`` of the solve that produced it. ``status`` is

- ``verified``: the certificate's gap is at most ``VERIFIED_GAP`` (1e-6 nats);
- ``approximate``: a solver answered but the bounds have not met to that precision (the truth lies between);
- ``failed``: no solver answered; the bounds are the trivial ones that need no solver.

``Status`` is a ``str`` enum, so ``status == "verified"`` holds and JSON output is the plain word. The ``value``
of a result is the number it reports (each class says which bound that is, e.g. ``WorstCase.value`` is the
attained lower bound, ``RobustRule.value`` the rule's exact loss, the upper bound).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

VERIFIED_GAP = 1e-6


class Status(enum.StrEnum):
    """How sure a result is (module docstring)."""

    VERIFIED = "verified"
    APPROXIMATE = "approximate"
    FAILED = "failed"

    @staticmethod
    def worst(statuses) -> Status:
        """The least certain of several statuses (verified when there are none)."""
        order = list(Status)
        return max((Status(s) for s in statuses), key=order.index, default=Status.VERIFIED)


@dataclass(frozen=True)
class Certificate:
    """lower <= the true value <= upper, in nats."""

    lower: float
    upper: float

    @property
    def gap(self) -> float:
        """upper - lower, never below 0: the bounds cross only by rounding (a polished saddle has lower and
        upper equal to the last bits), and a negative width would be a number no reader can use."""
        return max(self.upper - self.lower, 0.0)

    @property
    def verified(self) -> bool:
        """True when the gap is at most 1e-6 nats."""
        return self.gap <= VERIFIED_GAP

    def as_dict(self) -> dict:
        """JSON-ready form."""
        return {"lower": self.lower, "upper": self.upper, "gap": self.gap}


@dataclass(frozen=True, eq=False, kw_only=True)
class Certified:
    """The fields every certified result shares (module docstring); subclasses add their own."""

    eps: float
    certificate: Certificate
    status: Status
    method: str = ""
    message: str = ""
