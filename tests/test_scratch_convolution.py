"""The NumPy convolution and pooling of cnnrnn.scratch against the Keras layers they explain."""

import keras
import numpy as np
import pytest

from cnnrnn.scratch import (
    avg_pool2d,
    conv2d,
    conv_output_size,
    global_avg_pool2d,
    global_max_pool2d,
    max_pool2d,
    receptive_field,
)

# float32 Keras vs float64 NumPy, on inputs and weights of order 1.
ATOL = 1e-5


def _np(tensor):
    return keras.ops.convert_to_numpy(tensor)


@pytest.mark.parametrize("size, c_in, c_out, k, stride, padding", [
    (7, 1, 1, 3, 1, "valid"), (8, 3, 4, 3, 2, "same"), (9, 2, 5, 5, 2, "valid"),
    (10, 3, 2, 4, 3, "same"), (6, 4, 3, 1, 1, "valid"), (11, 2, 2, 2, 2, "same"),
])
def test_conv2d_matches_keras(size, c_in, c_out, k, stride, padding):
    rng = np.random.default_rng(size * 10 + k)
    x = rng.normal(size=(2, size, size + 1, c_in)).astype("float32")
    layer = keras.layers.Conv2D(c_out, k, strides=stride, padding=padding)
    layer.build(x.shape)
    kernel = rng.normal(size=(k, k, c_in, c_out)).astype("float32")
    bias = rng.normal(size=c_out).astype("float32")
    layer.set_weights([kernel, bias])
    expected = _np(layer(x))
    ours = conv2d(x, kernel, bias, stride=stride, padding=padding)
    assert ours.shape == expected.shape
    assert ours.shape[1:3] == (conv_output_size(size, k, stride, padding),
                               conv_output_size(size + 1, k, stride, padding))
    np.testing.assert_allclose(ours, expected, atol=ATOL)


@pytest.mark.parametrize("pool, stride, padding", [
    (2, None, "valid"), (3, None, "valid"), (3, 2, "valid"), (2, None, "same"), (3, 2, "same"),
    ((2, 3), (1, 2), "same"),
])
def test_pooling_matches_keras(pool, stride, padding):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 7, 9, 3)).astype("float32")
    for ours, keras_layer in ((max_pool2d, keras.layers.MaxPooling2D),
                              (avg_pool2d, keras.layers.AveragePooling2D)):
        expected = _np(keras_layer(pool, strides=stride, padding=padding)(x))
        np.testing.assert_allclose(ours(x, pool, stride, padding), expected, atol=ATOL)


def test_global_pooling_matches_keras():
    x = np.random.default_rng(1).normal(size=(3, 5, 6, 4)).astype("float32")
    np.testing.assert_allclose(global_avg_pool2d(x), _np(keras.layers.GlobalAveragePooling2D()(x)),
                               atol=ATOL)
    np.testing.assert_allclose(global_max_pool2d(x), _np(keras.layers.GlobalMaxPooling2D()(x)),
                               atol=ATOL)


def test_receptive_field_of_known_stacks():
    assert receptive_field([]) == (1, 1)
    assert receptive_field([(3, 1)] * 3) == (7, 1)  # three 3x3 convs see 7x7, as one 7x7 conv
    assert receptive_field([(3, 1), (2, 2), (3, 1)]) == (8, 2)
    with pytest.raises(ValueError):
        conv_output_size(5, 3, padding="full")
