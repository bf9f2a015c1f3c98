"""Solutions to lesson 3: Vanishing and exploding gradients."""


def vanishing_factor(radius=0.9, steps=50):
    """Each step back multiplies every direction by the radius: radius ** steps."""
    return radius ** steps


# Measured instead of computed (same number, up to rounding):
#   norms = probes.toy_gradient_norms(51, 0.9, activation="linear")
#   factor = norms[0] / norms[-1]
