"""Input checks shared by the statistics functions, so every function words its errors alike."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from symmetry.arrays import FloatArray


def as_float_vector(values: npt.ArrayLike, name: str) -> FloatArray:
    """Return `values` as a one-dimensional float array, or raise a ValueError naming the argument."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"`{name}` must be one-dimensional, got shape {array.shape}")
    return array


def check_same_length(first: npt.NDArray[Any], second: npt.NDArray[Any], names: tuple[str, str]) -> None:
    """Raise a ValueError when two paired vectors differ in length."""
    if first.shape[0] != second.shape[0]:
        raise ValueError(
            f"`{names[0]}` and `{names[1]}` must have the same length, got {first.shape[0]} and {second.shape[0]}"
        )


def check_confidence(confidence: float) -> None:
    """Raise a ValueError unless 0 < confidence < 1."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"`confidence` must lie strictly between 0 and 1, got {confidence}")
