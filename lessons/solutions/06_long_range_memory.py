"""Solutions to lesson 6: Long-range memory."""

import math


def memory_survival(lag=50):
    """With the forget gate at sigmoid(bias), each step keeps that share of the cell."""
    def sigmoid(x):
        return 1.0 / (1.0 + math.exp(-x))

    return sigmoid(1.0) ** lag, sigmoid(3.0) ** lag


def failure_lag(sweep, kind="rnn", threshold=0.9):
    """The first lag whose accuracy is below the threshold."""
    for point in sorted(sweep["results"][kind], key=lambda p: p["lag"]):
        if point["accuracy"] < threshold:
            return point["lag"]
    return None
