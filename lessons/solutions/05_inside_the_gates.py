"""Solutions to lesson 5: Inside the gates."""

import numpy as np


def forget_open_fraction(trace, threshold=0.9):
    """Share of all forget-gate values, over every step and unit, above the threshold."""
    return float((trace.F > threshold).mean())


def most_saturated_gate(trace, low=0.1, high=0.9):
    """The gate whose values are most often below ``low`` or above ``high``."""
    shares = {name: float(np.mean((values < low) | (values > high)))
              for name, values in (("I", trace.I), ("F", trace.F), ("O", trace.O))}
    return max(shares, key=shares.get)
