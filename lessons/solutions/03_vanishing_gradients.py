"""Solutions to lesson 3: Vanishing and exploding gradients."""


def tanh_radius_for_reach(keep=0.01, steps=100, low=1.0, high=3.0):
    """Bisection on the radius: the share the toy tanh RNN keeps climbs with r over
    [1, 3] (at r = 1 it keeps about 1e-20: the tanh' factors of its inputs eat it)."""
    import numpy as np

    from rnnlab import gradient_probes

    def log_share(r):
        norms = gradient_probes.toy_gradient_norms(steps + 1, r, activation="tanh")
        return np.log(norms[0] / norms[-1])

    for _ in range(40):
        middle = (low + high) / 2
        low, high = (middle, high) if log_share(middle) < np.log(keep) else (low, middle)
    return (low + high) / 2


# "Predict before you try" (clipping, 400 updates). Rerun the clipping cells with
# `updates = 400` (this lesson's seed, keras.utils.set_random_seed(0) in the setup cell):
#   no clipping     last loss 2.59 nats, 100% of hidden values beyond ±0.9
#   clipped at 1.0  last loss 2.70 nats, about 72% beyond ±0.9
# So no: by step 400 the clipped run has not caught up on the loss. The unclipped run sits
# near the bigram yardstick of lesson 1 (2.54 nats), about what one character of context
# gives, its recurrent path shut by saturation; the clipped run's unsaturated units still
# pass a gradient. Print them with:
#   for name, run in runs.items():
#       print(name, run["loss"][-1], run["saturated"][-1])


# Exercise 2 (Explore), a model answer. At r = 1.5 the linear curve would grow 1.5 times
# per step. Through tanh, the same stretching drives the pre-activations far from 0, the
# units saturate, and a saturated unit's tanh' is near 0: each step back multiplies the
# gradient by diag(tanh') W_hh^T, whose saturated rows pass almost nothing. The toy keeps
# about 3e-6 of its gradient 100 steps back at r = 1.5 (toy_gradient_norms(101, 1.5,
# "tanh")): no explosion at all. A tanh RNN's weights can be large and its gradient still
# vanish, which is what the shipped RNN showed.
