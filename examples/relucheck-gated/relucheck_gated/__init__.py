"""Example relucheck plug-in: one claim (GATED-LB) and one toy solver (toy-pgd)."""
