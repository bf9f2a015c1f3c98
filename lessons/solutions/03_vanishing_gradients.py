"""Solutions to lesson 3: Vanishing and exploding gradients."""


def radius_for_reach(keep=0.01, steps=100):
    """Each step back multiplies every direction by r, so r ** steps == keep."""
    return keep ** (1 / steps)


# Measured instead of computed (the same, up to rounding): with r = radius_for_reach(),
#   norms = gradient_probes.toy_gradient_norms(101, r, activation="linear")
#   norms[0] / norms[-1]  # 0.01


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
