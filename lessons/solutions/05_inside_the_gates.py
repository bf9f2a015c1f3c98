"""Solutions to lesson 5: Inside the gates."""

import numpy as np


def time_constant_within_lines(traces, unit):
    """-1 / mean(ln F) of the unit's forget gate over the characters inside a line (not
    a line's first character, where a counter resets, nor the newline)."""
    from rnnlab import units

    inside = []
    for trace in traces:
        column = units.text_features(trace.text)["line_position"]  # (characters,)
        keep = (column > 0) & (np.array(list(trace.text)) != "\n")
        inside.append(trace.F[keep, unit])
    return float(-1.0 / np.log(np.concatenate(inside)).mean())


# In the lesson, for the line-position unit: about 37 characters inside lines, against
# about 4.6 over every character (constant[unit]). The unit keeps its count for a line's
# length, and its gate drops to near 0 at each line's start; those few characters
# pull the geometric mean over all characters down to a few steps. A time
# constant describes a gate that is steady; for a gate that switches, say where it holds
# and where it lets go.


def forget_product(trace, unit, start=1000, stop=1100):
    """What the direct path C_(start-1) -> C_(stop-1) keeps: the product of the gates."""
    return float(np.prod(trace.F[start:stop, unit]))
