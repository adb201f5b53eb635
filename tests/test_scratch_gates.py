"""The NumPy LSTM and GRU of cnnrnn.scratch against keras.layers.LSTM and keras.layers.GRU."""

import keras
import numpy as np
import pytest

from cnnrnn.scratch import gru_forward, lstm_forward

# float32 Keras vs float64 NumPy; every output is a product of values in [-1, 1].
ATOL = 1e-5
SIZES = [(1, 1, 1, 1), (3, 7, 4, 5), (2, 20, 8, 16)]


def _random_bias(layer, rng):
    """Give the layer a random non-zero bias (Keras starts at zeros, or ones for f)."""
    weights = layer.get_weights()
    weights[-1] = rng.normal(size=weights[-1].shape).astype("float32")
    layer.set_weights(weights)
    return weights


@pytest.mark.parametrize("batch, steps, features, units", SIZES)
@pytest.mark.parametrize("return_sequences", [False, True])
def test_lstm_forward_matches_keras(batch, steps, features, units, return_sequences):
    rng = np.random.default_rng(batch * 100 + steps)
    x = rng.normal(size=(batch, steps, features)).astype("float32")
    layer = keras.layers.LSTM(units, return_sequences=return_sequences)
    layer.build(x.shape)
    weights = _random_bias(layer, rng)
    expected = keras.ops.convert_to_numpy(layer(x))
    ours = lstm_forward(x, *weights, return_sequences=return_sequences)
    assert ours.shape == expected.shape
    np.testing.assert_allclose(ours, expected, atol=ATOL)


@pytest.mark.parametrize("batch, steps, features, units", SIZES)
@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_forward_matches_keras(batch, steps, features, units, return_sequences, reset_after):
    rng = np.random.default_rng(batch * 100 + steps)
    x = rng.normal(size=(batch, steps, features)).astype("float32")
    layer = keras.layers.GRU(units, return_sequences=return_sequences, reset_after=reset_after)
    layer.build(x.shape)
    weights = _random_bias(layer, rng)
    assert weights[-1].shape == ((2, 3 * units) if reset_after else (3 * units,))
    expected = keras.ops.convert_to_numpy(layer(x))
    ours = gru_forward(x, *weights, return_sequences=return_sequences)
    assert ours.shape == expected.shape
    np.testing.assert_allclose(ours, expected, atol=ATOL)


def test_initial_states_and_gates():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 6, 3)).astype("float32")
    h0, c0 = rng.uniform(-1, 1, size=(2, 2, 4)).astype("float32")
    lstm, gru = keras.layers.LSTM(4), keras.layers.GRU(4)
    lstm(x), gru(x)
    np.testing.assert_allclose(
        lstm_forward(x, *lstm.get_weights(), h0=h0, c0=c0),
        keras.ops.convert_to_numpy(lstm(x, initial_state=[h0, c0])), atol=ATOL)
    np.testing.assert_allclose(
        gru_forward(x, *gru.get_weights(), h0=h0),
        keras.ops.convert_to_numpy(gru(x, initial_state=h0)), atol=ATOL)
    # The gates are sigmoids (in (0, 1)), the candidates tanh (in (-1, 1)), one per step and unit.
    _, gates = lstm_forward(x, *lstm.get_weights(), return_gates=True)
    assert set(gates) == {"i", "f", "g", "o", "c"}
    for name in "ifo":
        assert gates[name].shape == (2, 6, 4)
        assert np.all((gates[name] > 0) & (gates[name] < 1))
    assert np.all(np.abs(gates["g"]) < 1)
    _, gates = gru_forward(x, *gru.get_weights(), return_gates=True)
    assert set(gates) == {"z", "r", "n"} and gates["z"].shape == (2, 6, 4)


@pytest.mark.parametrize("features, units", [(1, 1), (8, 16), (64, 64)])
def test_parameter_counts(features, units):
    lstm = keras.layers.LSTM(units)
    gru = keras.layers.GRU(units)
    lstm.build((None, None, features))
    gru.build((None, None, features))
    assert lstm.count_params() == 4 * (units * (features + units) + units)
    assert gru.count_params() == 3 * (units * (features + units) + 2 * units)
