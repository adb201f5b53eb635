"""Model pieces that a chapter teaches and later chapters reuse.

Each function here is written out in full in the chapter named above it, and checked equal to
that chapter's copy by ``tests/test_taught_once.py``.
"""

from __future__ import annotations

from keras import layers


# saved from chapter 16
def causal_dilated_stack(inputs, filters, kernel_size, dilations):
    """Residual blocks of causal dilated Conv1D, one per dilation rate:
    an output at every step, which sees only that step and earlier ones."""
    x = layers.Conv1D(filters, 1)(inputs)  # match channels for the sums
    for d in dilations:
        h = layers.Conv1D(filters, kernel_size, padding="causal", dilation_rate=d, activation="relu")(x)
        x = layers.Add(name=f"block_{d}")([x, h])
    return x
