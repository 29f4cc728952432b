"""Plain words for the paper's equation numbers: the lab never shows "(20)" without saying what it is.

``said(20)`` is the long form for captions and help ("(20): attacker moves after seeing the rule, one fixed
move per point"); ``SHORT`` the few words that fit a chart label or a metric ("(20) attacker second, fixed
moves").
"""

from __future__ import annotations

WORDS = {
    3: "max distortion: every point moves at most eps",
    4: "average distortion: the points move at most eps on average",
    15: "the most uncertainty about the label an attacker can create within the budget",
    20: "attacker moves after seeing the rule, one fixed move per point",
    21: "attacker commits to one fixed move per point before the rule is chosen",
}
SHORT = {3: "every point moves <= eps", 4: "average move <= eps", 15: "worst case",
         20: "attacker second, fixed moves", 21: "attacker first, fixed moves"}


def said(number: int) -> str:
    """'(20): attacker moves after seeing the rule, one fixed move per point'."""
    return f"({number}): {WORDS[number]}"


def labelled(number: int) -> str:
    """'(20) attacker second, fixed moves': the number with its short words."""
    return f"({number}) {SHORT[number]}"
