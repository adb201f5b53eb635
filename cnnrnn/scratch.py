"""NumPy reference implementations built in the chapters, reused by later chapters and tests.

Each function is written for clarity, not speed, and is checked against the Keras layer it
explains (see tests/ and the chapters themselves). Layout conventions follow Keras:
images are ``(batch, height, width, channels)``, sequences ``(batch, time, features)``.
"""

from __future__ import annotations

import numpy as np  # noqa: F401  (used as the sections fill in; remove this noqa then)

# ============================================================================================
# Part I: convolution and pooling
# ============================================================================================


# ============================================================================================
# Part II: recurrent cells
# ============================================================================================
