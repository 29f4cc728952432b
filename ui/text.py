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

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")


def literal(text) -> str:
    """``text`` escaped so that Streamlit's Markdown shows it character for character."""
    return _PUNCTUATION.sub(r"\\\1", str(text))
