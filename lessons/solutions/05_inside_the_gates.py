"""Solutions to lesson 5: Inside the gates."""

import numpy as np


def time_constant(traces, unit):
    """-1 / mean(ln F) of the unit's forget gate over every character of every trace: the
    gates multiply, so they decay at their geometric mean, exp(mean(ln F))."""
    F = np.concatenate([trace.F[:, unit] for trace in traces])  # (characters,)
    return float(-1.0 / np.log(F).mean())


def forget_product(trace, unit, start=1000, stop=1100):
    """What the direct path C_(start-1) -> C_(stop-1) keeps: the product of the gates."""
    return float(np.prod(trace.F[start:stop, unit]))
