"""Settings read from the environment."""

import os


def quick() -> bool:
    """True under ``RNNLAB_QUICK=1`` (set by ``make test``): live training budgets shrink,
    code paths stay the same."""
    return os.environ.get("RNNLAB_QUICK", "").strip() not in ("", "0", "false", "no")


def live_budget(minutes: float, quick_steps: int = 20) -> dict:
    """The budget of a live training cell in a lesson, as ``train`` keyword arguments.

    ``{"max_minutes": minutes}`` for a learner; ``{"max_steps": quick_steps}`` under
    ``RNNLAB_QUICK=1``, so the test run goes through the same cell in seconds.
    """
    return scaled({"max_minutes": minutes}, {"max_steps": quick_steps})


def device_summary() -> str:
    """Which TensorFlow and Keras run here, and on what: "... on CPU" or the GPUs.

    Asking TensorFlow for its devices also initialises them, so the driver messages it
    prints once per process appear here (in a lesson's setup cell) and not later.
    """
    import keras
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    where = ", ".join(gpu.name for gpu in gpus) if gpus else "CPU (no GPU found)"
    tf.zeros(1)  # the first operation: device start-up happens now
    return f"TensorFlow {tf.__version__}, Keras {keras.__version__}, on {where}"


def scaled(full, quick_value):
    """``full`` for a learner, ``quick_value`` under ``RNNLAB_QUICK=1`` (step counts, sizes)."""
    return quick_value if quick() else full
