"""The environment the tests start Jupyter servers and kernels with."""

import os


def kernel_environment(**extra: str) -> dict[str, str]:
    """This process's environment plus ``extra``, less pytest's PYTEST_CURRENT_TEST.

    While that variable is set, ipykernel does not forward what is written to file
    descriptors 1 and 2 (TensorFlow's C++ log, for one) into the notebook, so a test
    would not see what a learner sees.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    return {**env, **extra}
