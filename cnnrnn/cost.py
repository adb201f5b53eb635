"""Counting a model's work exactly, where timing on a noisy machine would not be reliable."""

from __future__ import annotations

import numpy as np
from keras import layers


# saved from chapter 04, where it is taught
def multiply_adds(model, convolutions=()):
    """Multiply-adds for one example in the convolution and Dense layers.

    Each weight is used once at every output position: every pixel of a
    Conv2D's output, every step of a Conv1D's, and one position for a Dense
    layer on a flat input. `convolutions` adds layer classes of one's own
    that use their `kernel` the same way."""
    counted = (layers.Conv1D, layers.Conv2D, layers.Conv3D, layers.Dense)
    total = 0
    for layer in model.layers:
        if isinstance(layer, counted + tuple(convolutions)):
            positions = int(np.prod(layer.output.shape[1:-1]))
            total += positions * int(np.prod(layer.kernel.shape))
    return total
