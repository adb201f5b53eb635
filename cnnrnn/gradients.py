"""The gradient of a function with respect to its input, on whichever backend Keras runs.

Chapter 10 teaches the three ways (TensorFlow's tape, ``jax.grad``, torch's ``backward()``);
``input_gradient`` picks the one for ``keras.backend.backend()``. Each function imports its own
framework, so only the backend that runs has to be installed.
"""

from __future__ import annotations

import keras


# saved from chapter 10
def input_gradient_tensorflow(f, x):
    import tensorflow as tf

    x = keras.ops.convert_to_tensor(x)
    with tf.GradientTape() as tape:
        tape.watch(x)  # x is a constant, not a weight: ask for its gradient
        y = f(x)
    return keras.ops.convert_to_numpy(tape.gradient(y, x))


# saved from chapter 10
def input_gradient_jax(f, x):
    import jax

    return keras.ops.convert_to_numpy(jax.grad(f)(x))


# saved from chapter 10
def input_gradient_torch(f, x):
    x = keras.ops.convert_to_tensor(x).requires_grad_()
    f(x).backward()  # fills in x.grad
    return keras.ops.convert_to_numpy(x.grad)


_BY_BACKEND = {
    "tensorflow": input_gradient_tensorflow,
    "jax": input_gradient_jax,
    "torch": input_gradient_torch,
}


def input_gradient(f, x):
    """d f(x) / d x as a NumPy array, for f returning one number, on Keras' current backend."""
    backend = keras.backend.backend()
    if backend not in _BY_BACKEND:
        raise NotImplementedError(
            f"input_gradient knows the backends {sorted(_BY_BACKEND)}, not "
            f"{backend!r}: set KERAS_BACKEND to one of them."
        )
    return _BY_BACKEND[backend](f, keras.ops.convert_to_tensor(x, dtype="float32"))
