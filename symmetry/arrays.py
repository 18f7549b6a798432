"""Array type aliases shared by the core's modules."""

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
