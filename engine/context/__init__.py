"""The other reference texts' models: Tsipras et al.; PixelDP and randomized smoothing; toy classifiers."""
