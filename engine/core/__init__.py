"""The paper's objects, no solver: the problem, ground costs, information measures, moves, rule tables, checks."""
