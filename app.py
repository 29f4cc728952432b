"""Tradeoff Lab: page configuration and navigation. Everything else lives in pages/, ui/, figures/, engine/."""

import streamlit as st

from ui.state import apply_lecture_style, lecture_mode

st.set_page_config(page_title="Tradeoff Lab", page_icon=":material/balance:", layout="wide")
apply_lecture_style()
pages = {
    "Tradeoff Lab": [st.Page("views/overview.py", title="Overview", icon=":material/home:", default=True)],
    "Explore": [
        st.Page("views/worst_case.py", title="Worst-case perturbation", icon=":material/grid_on:",
                url_path="worst-case"),
        st.Page("views/tradeoff.py", title="Robustness tradeoff", icon=":material/show_chart:", url_path="tradeoff"),
        st.Page("views/deterministic.py", title="Stochastic vs deterministic", icon=":material/casino:",
                url_path="stochastic-vs-deterministic"),
        st.Page("views/privacy.py", title="Privacy-utility", icon=":material/lock:", url_path="privacy"),
    ],
}
st.navigation(pages, position="top" if lecture_mode() else "sidebar").run()
