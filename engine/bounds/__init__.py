"""The two halves of every certificate (a feasible plan's value below, a rule's exact loss above) and the
result protocol (``Certified``, ``Certificate``, ``Status``)."""
