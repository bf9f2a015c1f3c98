"""Solutions to lesson 6: Long-range memory."""

import math


def forget_bias_for_memory(lag=200, keep=0.5):
    """The bias b with sigmoid(b) ** lag == keep: the gate value first, then its logit."""
    f = keep ** (1 / lag)  # (0.5) ** (1 / 200) = 0.99654
    return math.log(f / (1 - f))


def reliable_lag(points, threshold=0.9):
    """The longest lag up to which every seed, there and at every shorter lag, scores at
    least the threshold; None when a seed already fails at the shortest lag."""
    found = None
    for lag in sorted({p["lag"] for p in points}):
        if min(p["accuracy"] for p in points if p["lag"] == lag) < threshold:
            break
        found = lag
    return found


# In the lesson: reliable_lag(sweep["series"]["lstm_bias3"]["points"], 0.9) == 50
