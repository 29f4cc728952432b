"""The page's look, as constant CSS (nothing user-supplied is ever put in it): the share bar and controls on
every page, and in lecture mode the sizes for a hall and the projector or dark theme.

Lecture mode scales Streamlit's rem-based sizes from the root font (text, headings, headline numbers and
controls grow together), hides the sidebar and Streamlit's own header, and trims the top padding, so each
page's main chart fits a 1920 x 1080 screen. Charts get their own sizes in Plotly (figures.style.for_hall).
"""

from __future__ import annotations

import streamlit as st

COMMON = """
<style>
.st-key-share { gap: 0.75rem; margin-top: -0.4rem; }
button.tl-copy-link { font: inherit; font-size: 0.9rem; padding: 0.3rem 0.8rem; border-radius: 0.5rem;
  border: 1px solid rgba(49, 51, 63, 0.35); background: #ffffff; color: #1f2430; cursor: pointer; }
button.tl-copy-link:hover { border-color: #0072B2; color: #0072B2; }
.katex-display { overflow-x: auto; overflow-y: hidden; padding-bottom: 0.2rem; }
/* The example and eps stay on screen while the charts scroll past (a phone shows both at once). */
.st-key-controls { background: #ffffff; padding: 0.35rem 0 0.2rem 0; border-bottom: 1px solid rgba(49, 51, 63, 0.12); }
/* sticky on Streamlit's wrapper, the child of the page's tall block (sticky on the keyed block itself sticks
   inside a wrapper of its own height, that is not at all) */
[data-testid="stLayoutWrapper"]:has(> .st-key-controls) { position: sticky; top: 3.75rem; z-index: 50; }
@media (max-width: 640px) {
  .st-key-controls [data-testid="stHorizontalBlock"] { gap: 0.2rem; }
  [data-testid="stMainBlockContainer"] { padding-left: 0.8rem; padding-right: 0.8rem; }
  [class*="st-key-headline"] [data-testid="stMetricValue"] { font-size: 1.6rem; }
}
/* a headline interval ('0.3610 to 0.3712 nats') wraps onto a second line rather than lose its end to an ellipsis */
[class*="st-key-headline"] [data-testid="stMetricValue"] > div,
[class*="st-key-headline"] [data-testid="stMetricValue"] p { white-space: normal; overflow: visible;
  text-overflow: clip; min-width: 0; }
[class*="st-key-headline"] { gap: 0.5rem 2rem; }
[class*="st-key-headline"] > div { flex: 1 1 10rem; min-width: 10rem; }
</style>
"""

LECTURE = """
<style>
html { font-size: 21px; }
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"] { display: none !important; }
[data-testid="stMainBlockContainer"] { padding-top: 0.6rem; padding-bottom: 1rem; max-width: 100%;
  padding-left: 2.2rem; padding-right: 2.2rem; }
h1 { font-size: 2.6rem !important; line-height: 1.15 !important; padding: 0.1rem 0 0.2rem 0 !important; }
h2 { font-size: 2.0rem !important; } h3 { font-size: 1.6rem !important; }
[data-testid="stMetricValue"] { font-size: 2.5rem !important; font-weight: 700; }
[data-testid="stMetricLabel"] p { font-size: 1.05rem !important; }
[data-testid="stCaptionContainer"] { font-size: 0.95rem; }
.st-key-controls { border-bottom: none; padding: 0; background: transparent; }
[data-testid="stLayoutWrapper"]:has(> .st-key-controls) { position: static; }
.st-key-lecture_links { gap: 0.2rem 0.9rem; }
.st-key-lecture_links * { font-size: 0.72rem !important; }
.st-key-qr_card { position: fixed; right: 1.2rem; bottom: 1.2rem; z-index: 1000; width: 19rem !important;
  background: #ffffff; padding: 0.6rem 0.8rem; border: 3px solid #000000; border-radius: 0.6rem; gap: 0.2rem; }
.st-key-qr_card p, .st-key-qr_card code { font-size: 0.95rem !important; color: #000000 !important;
  background: #ffffff !important; white-space: normal !important; word-break: break-all; }
.st-key-qr_card [data-testid="stImageCaption"] { color: #000000; font-size: 0.9rem; }
</style>
"""

PROJECTOR = """
<style>
.stApp { background: #ffffff; color: #000000; }
h1, h2, h3, h4, p, li, label, [data-testid="stMetricValue"], [data-testid="stMetricLabel"] p { color: #000000; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p { color: #1a1a1a; }
</style>
"""

DARK = """
<style>
.stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"] { background: #0e1117; color: #f5f5f5; }
h1, h2, h3, h4, p, li, label, span, [data-testid="stMetricValue"], [data-testid="stMetricLabel"] p,
[data-testid="stMarkdownContainer"], [data-testid="stWidgetLabel"] p { color: #f5f5f5; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p { color: #d6d9e0; }
[data-baseweb="select"] > div, [data-testid="stSelectbox"] [data-baseweb="select"] div { background: #262730;
  border-color: #6b6f7b; color: #f5f5f5; }
[data-baseweb="popover"] li, [data-baseweb="menu"] { background: #262730; color: #f5f5f5; }
.stButton button, button.tl-copy-link, [data-testid="stPageLink-NavLink"] { background: #262730; color: #f5f5f5;
  border-color: #6b6f7b; }
[data-testid="stPageLink-NavLink"] span, [data-testid="stIconMaterial"] { color: #f5f5f5; }
[data-testid="stBadge"], .stMarkdown [data-testid="stMarkdownBadge"] { background: #16351f; }
[data-testid="stVerticalBlockBorderWrapper"], .st-key-guide { border-color: #6b6f7b; }
[data-testid="stExpander"] details, [data-testid="stExpander"] summary { background: #161a22; color: #f5f5f5; }
.katex { color: #f5f5f5; }
</style>
"""


def apply(lecture: bool, theme: str | None) -> None:
    """Add this page's CSS (Streamlit puts style-only HTML where it takes no room)."""
    css = COMMON
    if lecture:
        css += LECTURE + (DARK if theme == "dark" else PROJECTOR)
    st.html(css)
