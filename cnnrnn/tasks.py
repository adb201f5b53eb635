"""Synthetic tasks that several chapters train on."""

from __future__ import annotations

import numpy as np


# saved from chapter 10, where it is taught
def adding_problem(n, length, rng):
    # n sequences (n, length, 2) and their targets (n,). Channel 0 holds random values in
    # [0, 1), channel 1 marks one step in each half; the target is the sum of the marked two.
    values = rng.random((n, length))
    markers = np.zeros((n, length))
    rows = np.arange(n)
    markers[rows, rng.integers(0, length // 2, n)] = 1  # first half
    markers[rows, rng.integers(length // 2, length, n)] = 1  # second half
    x = np.stack([values, markers], axis=-1).astype("float32")
    y = (values * markers).sum(axis=1).astype("float32")
    return x, y
