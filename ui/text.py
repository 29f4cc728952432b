"""User text inside Streamlit's Markdown, shown literally.

Error sentences quote what the user typed or uploaded (a cell, a label, a file name), and st.error,
st.caption and st.markdown render Markdown: links, images, colour directives (:red[...]), icons
(:material/...:) and LaTeX ($...$). Escaping every ASCII punctuation character with a backslash
(CommonMark allows it for all of them) makes the text show exactly as typed and render as nothing else.
Streamlit never renders raw HTML here (no unsafe_allow_html), so escaping Markdown is what is left to do.
"""

from __future__ import annotations

import re
import string

import numpy as np

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")


def literal(text) -> str:
    """``text`` escaped so that Streamlit's Markdown shows it character for character."""
    return _PUNCTUATION.sub(r"\\\1", str(text))


MEET_ULPS = 4  # bounds this many units in the last place apart (or closer) meet


def bounds_meet(certificate) -> bool:
    """True when a certificate's bounds are a few units in the last place apart or equal: a polished saddle's meet
    to the last bits (engine.solvers.chain.ROUNDING), and whether the gap is 0 or 2.2e-16 depends on the machine's
    arithmetic, so both read 'they meet', never 'within 0.0e+00' or 'within 2.2e-16'."""
    return certificate.gap <= MEET_ULPS * float(np.finfo(float).eps) * max(1.0, abs(certificate.upper))
