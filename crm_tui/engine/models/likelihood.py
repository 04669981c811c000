"""Maximum likelihood over positive parameters, as the customer-base models fit them."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

BOUNDS = (1e-4, 1e4)  # a parameter this close to 0 or this far out means the fit failed
LogLikelihood = Callable[[np.ndarray], tuple[float, np.ndarray]]  # value, gradient in logs


@dataclass(frozen=True)
class Maximum:
    params: np.ndarray
    log_likelihood: float
    failure: str | None  # why the optimiser stopped short, if it did


def maximise(log_likelihood: LogLikelihood, n: int) -> Maximum:
    """L-BFGS-B from all ones on the logarithms of the parameters, with the likelihood's exact
    gradient."""
    from scipy.optimize import minimize  # only fitting needs it: slow to import

    def loss(log_params: np.ndarray) -> tuple[float, np.ndarray]:
        value, gradient = log_likelihood(np.exp(log_params))
        return -value, -gradient

    result = minimize(
        loss,
        np.zeros(n),
        jac=True,
        method="L-BFGS-B",
        options={"ftol": 1e-15},  # the likelihood is flat near its top
        bounds=[(math.log(BOUNDS[0]), math.log(BOUNDS[1]))] * n,
    )
    # SciPy's L-BFGS-B says "ABNORMAL: " with nothing after the colon when its line search fails
    failure = None if result.success else str(result.message).strip(" :") or "no reason given"
    return Maximum(np.exp(result.x), -float(result.fun), failure)
