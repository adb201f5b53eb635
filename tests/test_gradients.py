import keras
import numpy as np
import pytest

from cnnrnn import gradients


def test_input_gradient_of_a_sum_of_squares_is_twice_the_input():
    x = np.array([[1.0, -2.0], [0.5, 3.0]], dtype="float32")
    grad = gradients.input_gradient(lambda t: keras.ops.sum(t**2), x)
    assert isinstance(grad, np.ndarray)
    np.testing.assert_allclose(grad, 2 * x, rtol=1e-6)


def test_input_gradient_through_a_layer_matches_the_backends_own_function():
    layer = keras.layers.SimpleRNN(3, kernel_initializer=keras.initializers.GlorotUniform(seed=1))
    x = np.random.default_rng(0).normal(size=(2, 5, 4)).astype("float32")
    by_hand = {"tensorflow": gradients.input_gradient_tensorflow, "jax": gradients.input_gradient_jax,
               "torch": gradients.input_gradient_torch}[keras.backend.backend()]
    ours = gradients.input_gradient(lambda t: keras.ops.sum(layer(t)), x)
    np.testing.assert_allclose(ours, by_hand(lambda t: keras.ops.sum(layer(t)),
                                             keras.ops.convert_to_tensor(x)), rtol=1e-6)
    assert ours.shape == x.shape and np.abs(ours).sum() > 0


def test_unknown_backend_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(keras.backend, "backend", lambda: "numpy")
    with pytest.raises(NotImplementedError, match="KERAS_BACKEND"):
        gradients.input_gradient(lambda t: keras.ops.sum(t), np.ones(2, "float32"))
