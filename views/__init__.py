"""The pages: one Streamlit script each, run by st.navigation in app.py (thin: controls, cached calls, figures)."""
