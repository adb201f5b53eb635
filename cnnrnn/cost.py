"""Counting a model's work exactly, where timing on a noisy machine would not be reliable."""

from __future__ import annotations

import numpy as np


# saved from chapter 04, where it is taught
def multiply_adds(model):
    """Multiply-adds for one example in the convolution and Dense layers: a weight is used
    once at every output position (one position for a Dense layer on a flat input)."""
    total = 0
    for layer in model.layers:
        if hasattr(layer, "kernel") and layer.__class__.__name__.startswith(("Conv", "Dense")):
            positions = int(np.prod(layer.output.shape[1:-1]))
            total += positions * int(np.prod(layer.kernel.shape))
    return total
