"""The NumPy recurrent cells of cnnrnn.scratch against the Keras layers they explain."""

import keras
import numpy as np
import pytest

from cnnrnn.scratch import simple_rnn_forward

# float32 Keras vs float64 NumPy: tanh keeps values in [-1, 1], so absolute error is the measure.
ATOL = 1e-5


@pytest.mark.parametrize("batch, steps, features, units", [(1, 1, 1, 1), (3, 7, 4, 5),
                                                           (2, 20, 8, 16)])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_simple_rnn_forward_matches_keras(batch, steps, features, units, return_sequences):
    rng = np.random.default_rng(batch * 100 + steps)
    x = rng.normal(size=(batch, steps, features)).astype("float32")
    layer = keras.layers.SimpleRNN(units, return_sequences=return_sequences)
    layer.build(x.shape)
    kernel, recurrent_kernel, bias = layer.get_weights()
    bias = rng.normal(size=bias.shape).astype("float32")  # a non-zero bias is tested too
    layer.set_weights([kernel, recurrent_kernel, bias])
    expected = keras.ops.convert_to_numpy(layer(x))
    ours = simple_rnn_forward(x, kernel, recurrent_kernel, bias,
                              return_sequences=return_sequences)
    assert ours.shape == expected.shape
    np.testing.assert_allclose(ours, expected, atol=ATOL)


def test_simple_rnn_forward_starts_from_the_given_state():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 5, 3)).astype("float32")
    h0 = rng.uniform(-1, 1, size=(2, 4)).astype("float32")
    layer = keras.layers.SimpleRNN(4)
    layer(x)
    expected = keras.ops.convert_to_numpy(layer(x, initial_state=h0))
    ours = simple_rnn_forward(x, *layer.get_weights(), h0=h0)
    np.testing.assert_allclose(ours, expected, atol=ATOL)
    # Starting from h0 is the same as running the first steps, then the rest from their state.
    first = simple_rnn_forward(x[:, :2], *layer.get_weights(), h0=h0)
    np.testing.assert_allclose(simple_rnn_forward(x[:, 2:], *layer.get_weights(), h0=first), ours,
                               atol=1e-12)
