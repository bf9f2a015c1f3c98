"""Solutions to lesson 6: Long-range memory."""

import math
import statistics


def forget_bias_for_memory(lag=200, keep=0.5):
    """The bias b with sigmoid(b) ** lag == keep: the gate value first, then its logit."""
    f = keep ** (1 / lag)  # (0.5) ** (1 / 200) = 0.99654
    return math.log(f / (1 - f))


def failure_lag(points, threshold=0.9):
    """The first lag whose median accuracy over the seeds is below the threshold."""
    for lag in sorted({p["lag"] for p in points}):
        median = statistics.median(p["accuracy"] for p in points if p["lag"] == lag)
        if median < threshold:
            return lag
    return None
