"""Pure Plotly builders: engine results in, go.Figure out. No Streamlit here."""
