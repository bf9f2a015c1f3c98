"""Solutions to lesson 3: Vanishing and exploding gradients."""


def tanh_radius_for_reach(keep=0.01, steps=100, low=1.0, high=3.0):
    """Bisection on the radius, between two radii whose shares bracket ``keep``: the share
    the toy tanh RNN keeps climbs with r from 1 (about 1e-20 there: the tanh' factors of
    its inputs eat it) to about 2.1, and wanders above; the target lies near 1.75."""
    import numpy as np

    from rnnlab import gradient_probes

    def log_share(r):
        norms = gradient_probes.toy_gradient_norms(steps + 1, r, activation="tanh")
        return np.log(norms[0] / norms[-1])

    for _ in range(40):
        middle = (low + high) / 2
        low, high = (middle, high) if log_share(middle) < np.log(keep) else (low, middle)
    return (low + high) / 2


# "Predict before you try" (clipping at rate 3). Add
# `"rate 3, clipped at 1.0": dict(learning_rate=3.0, global_clipnorm=1.0)` to
# `sgd_settings` and rerun (this lesson's seeds, keras.utils.set_random_seed(0) in the setup
# cell). With TensorFlow 2.21 on a CPU:
#   rate 1, clipped at 1.0   ends at 2.36 to 2.42 nats, largest one-step rise 0.27 to 0.45
#   rate 3, clipped at 1.0   ends at 2.63 to 3.61 nats, largest one-step rise 3.7 to 9.0
#   rate 3, no clipping      ends at 4.70 to 9.86 nats, largest one-step rise 14 to 50
# So no: clipping still helps at rate 3 (compare the unclipped row), but every seed now falls
# off a cliff. A clipped step is at most rate x 1.0 long, here 3, and a step of length 3 is
# long enough to land beyond a wall. Clipping bounds the step; the rate still sets the bound.
# Print them with:
#   for name, seed_runs in runs.items():
#       print(name, [round(clipping.end_of_run(run), 2) for run in seed_runs],
#             [round(clipping.largest_rise(run)[0], 2) for run in seed_runs])


# Exercise 2 (Explore), a model answer. At r = 1.5 the linear curve would grow 1.5 times
# per step. Through tanh, the same stretching drives the pre-activations far from 0, the
# units saturate, and a saturated unit's tanh' is near 0: each step back multiplies the
# gradient by diag(tanh') W_hh^T, whose saturated rows pass almost nothing. The toy keeps
# about 3e-6 of its gradient 100 steps back at r = 1.5 (toy_gradient_norms(101, 1.5,
# "tanh")): no explosion at all. A tanh RNN's weights can be large and its gradient still
# vanish, which is what the shipped RNN showed.
