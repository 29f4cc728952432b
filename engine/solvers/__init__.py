"""Canonicalisers of (15) (conic, reduced, reference) and the chain that tries them and certifies the answer."""
