"""Looking inside the models: the names the lessons and views use, from three modules.

- ``rnnlab.gradient_probes``: gradients through time from the models' own Keras layers,
  over many windows (``window_gradients``, ``gradient_band``), lesson 3's what-if
  (``rnn_gradient_reach``), the toy RNN (``toy_gradient_norms``), untrained twins.
- ``rnnlab.units``: gates and states over a text (``gates``), saturation, forget time
  constants, and units that follow a feature of the text (``find_cells``).
- ``rnnlab.clipping``: short SGD runs that explode, with and without clipping.
"""

from rnnlab.clipping import clipping_run
from rnnlab.gradient_probes import (
    ACTIVATIONS,
    LOSSES,
    at_initialisation,
    gradient_band,
    gradient_norms,
    gradients,
    rnn_gradient_reach,
    toy_gradient_norms,
    window_gradients,
)
from rnnlab.units import (
    SATURATION_THRESHOLDS,
    feature_correlation,
    find_cells,
    forget_timescales,
    gates,
    saturation,
    tanh_outputs,
    text_features,
)

__all__ = [
    "ACTIVATIONS", "LOSSES", "SATURATION_THRESHOLDS", "at_initialisation", "clipping_run",
    "feature_correlation", "find_cells", "forget_timescales", "gates",
    "gradient_band", "gradient_norms", "gradients", "rnn_gradient_reach", "saturation",
    "tanh_outputs", "text_features", "toy_gradient_norms", "window_gradients",
]
