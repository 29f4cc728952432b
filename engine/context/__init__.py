"""The other texts' models: Tsipras et al.; DP-certified robustness; concentration; robust statistics."""
