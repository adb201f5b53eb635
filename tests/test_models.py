"""Unit tests of cnnrnn.models: the causal dilated Conv1D stack taught in chapter 16."""

import keras
import numpy as np
import pytest

from cnnrnn.models import causal_dilated_stack

KERNEL, DILATIONS, FILTERS, FEATURES = 3, (1, 2, 4), 16, 5
REACH = 1 + (KERNEL - 1) * sum(DILATIONS)  # the receptive field: 15 steps


def _stack():
    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(None, FEATURES))
    return keras.Model(inputs, causal_dilated_stack(inputs, FILTERS, KERNEL, DILATIONS))


def test_an_output_per_step_and_a_named_block_per_dilation():
    model = _stack()
    x = np.zeros((2, 40, FEATURES), "float32")
    assert tuple(model(x).shape) == (2, 40, FILTERS)
    assert [model.get_layer(f"block_{d}").name for d in DILATIONS] == ["block_1", "block_2", "block_4"]
    # a 1 x 1 convolution, then (kernel x filters x filters + biases) per block
    expected = (FEATURES + 1) * FILTERS + len(DILATIONS) * (KERNEL * FILTERS + 1) * FILTERS
    assert model.count_params() == expected


@pytest.mark.parametrize("step", [0, 10, 30])
def test_a_change_moves_exactly_the_receptive_field_after_it(step):
    model = _stack()
    probe = np.random.default_rng(1).normal(size=(1, 60, FEATURES)).astype("float32")
    nudged = probe.copy()
    nudged[0, step] += 1.0
    change = np.abs(keras.ops.convert_to_numpy(model(nudged) - model(probe))).max(axis=-1)[0]
    moved = np.flatnonzero(change > 1e-6)
    # causal: nothing before the step moves; bounded: nothing after its reach (a ReLU may
    # leave a step in between unmoved, but the residual path always carries the step itself)
    assert moved.min() == step
    assert moved.max() == min(step + REACH, 60) - 1
    assert not change[step + REACH:].any()
