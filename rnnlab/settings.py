"""Settings read from the environment, and TensorFlow's start."""

import os
import sys
import tempfile
from contextlib import contextmanager

_startup_lines: list[str] = []  # what TensorFlow's C++ core printed while it started


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


@contextmanager
def _stderr_to(lines: list[str]):
    """Send what is written to file descriptor 2 (where TensorFlow's C++ core logs) into
    ``lines`` instead; Python's own sys.stderr is left alone."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile(mode="w+b") as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            lines.extend(sink.read().decode("utf-8", errors="replace").splitlines())


def start_tensorflow() -> str:
    """Import TensorFlow and start its devices; return ``device_summary()``.

    The lines TensorFlow's C++ core prints while it starts (driver probes such as
    "failed call to cuInit" on a machine without a GPU, which a notebook shows in red)
    are kept out of the output: ``startup_log()`` returns them. In a notebook a status
    line says that it is starting: it takes seconds.
    """
    from rnnlab.progress import StatusLine

    with StatusLine("starting TensorFlow"), _stderr_to(_startup_lines):
        check_keras_backend()  # imports Keras, and TensorFlow with it: inside, as quiet
        return device_summary()


def check_keras_backend() -> None:
    """Stop, in one sentence, where Keras runs on another backend than TensorFlow.

    The kit's probes and training loops use TensorFlow's own operations (tf.function,
    GradientTape) on Keras's variables, which only the TensorFlow backend provides. The
    lessons' setup cell sets ``KERAS_BACKEND=tensorflow`` before Keras loads; a kernel
    that imported Keras earlier with another backend (``KERAS_BACKEND=jax``, say) keeps it.
    """
    import keras

    backend = keras.backend.backend()
    if backend != "tensorflow":
        raise RuntimeError(
            f"rnnlab needs Keras's TensorFlow backend, but this kernel's Keras runs on "
            f"{backend!r} (KERAS_BACKEND={os.environ.get('KERAS_BACKEND', '')!r} when Keras "
            "was imported). Restart the kernel and run the lesson's setup cell first: it "
            "sets KERAS_BACKEND=tensorflow before Keras loads.")


def startup_log() -> str:
    """What TensorFlow printed while ``start_tensorflow`` ran (empty if it was started
    earlier, or printed nothing)."""
    return "\n".join(_startup_lines)


def scaled(full, quick_value):
    """``full`` for a learner, ``quick_value`` under ``RNNLAB_QUICK=1`` (step counts, sizes)."""
    return quick_value if quick() else full
