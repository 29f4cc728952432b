"""Tradeoff Lab: page configuration and navigation. Everything else lives in views/, ui/, figures/, engine/."""

import streamlit as st

from ui.boot import load_modules

load_modules()  # before any page: sessions starting together must not import the app's modules concurrently

from ui import frame  # noqa: E402

pages = {
    "Tradeoff Lab": [st.Page("views/overview.py", title="Overview", icon=":material/home:", default=True)],
    "Explore": [
        st.Page("views/worst_case.py", title="Worst-case perturbation", icon=":material/grid_on:",
                url_path="worst-case"),
        st.Page("views/tradeoff.py", title="Robustness tradeoff", icon=":material/show_chart:", url_path="tradeoff"),
        st.Page("views/deterministic.py", title="Stochastic vs deterministic", icon=":material/casino:",
                url_path="stochastic-vs-deterministic"),
        st.Page("views/privacy.py", title="Privacy-utility", icon=":material/lock:", url_path="privacy"),
        st.Page("views/your_data.py", title="Your data", icon=":material/scatter_plot:", url_path="your-data"),
    ],
    "Context": [
        st.Page("views/accuracy.py", title="Robustness vs accuracy", icon=":material/compare_arrows:",
                url_path="robustness-vs-accuracy"),
        st.Page("views/certify.py", title="Certified robustness", icon=":material/shield:",
                url_path="certified-robustness"),
        st.Page("views/robust_statistics.py", title="Robust statistics", icon=":material/filter_alt:",
                url_path="robust-statistics"),
        st.Page("views/concentration.py", title="Concentration of measure", icon=":material/language:",
                url_path="concentration-of-measure"),
    ],
}
page = frame.start(pages)  # the page's configuration and tab title; the link is read; lecture mode's look
try:
    frame.guarded(page.run, frame.page_key(page))  # a failure is said in a sentence, the log keeps the traceback
finally:
    frame.finish()  # the link, and the navigation and share buttons that carry it (also after st.stop); a page's
    # live part (frame.live) has drawn them already
