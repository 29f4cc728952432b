"""The paper's analyses on certified saddle points: worst case, robust rule, rule loss, Figure 2, privacy, (20)/(21),
robust accuracy (the 0-1 loss)."""
