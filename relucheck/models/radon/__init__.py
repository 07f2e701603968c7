"""Weight decay as Radon-domain regularization and its approximation (claims.md SR 1, 4, 5).

The certified dual lower bound for weight-decay training in d = 2, Maurey sub-sampling of a
ReLU network, and deep linear networks with weight decay in closed form per singular value.
"""
