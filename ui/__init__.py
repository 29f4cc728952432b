"""Shared Streamlit pieces: the problem editor, URL state, cached engine calls, downloads, lecture mode."""
