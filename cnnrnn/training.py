"""Training one model the way the book trains most of them: compile, fit with a timer, evaluate.

Taught in chapter 04 (where it is written out in full and checked equal to this copy by
``tests/test_taught_once.py``); later chapters call it and show only their own settings.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np

from cnnrnn.config import quick_or_full
from cnnrnn.timing import EpochTimer


def keras_uses_xla() -> bool:
    """Whether Keras, left to choose (``jit_compile="auto"``), compiles training steps with XLA
    here: always on JAX, on TensorFlow when a GPU (or another accelerator) is visible (for every
    model but one with an LSTM or GRU that cuDNN runs), never on PyTorch. XLA compiles a step
    anew for every new shape of batch (chapters that batch sequences by length then round the
    widths up, ``multiple=``), and it cannot compile every TensorFlow kernel
    (``cnnrnn.ctc.ctc_loss`` then avoids the one it would use)."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf  # only on this backend

        return any(d.device_type != "CPU" for d in tf.config.list_physical_devices())
    return backend == "jax"


@dataclass
class Trained:
    """What :func:`fit_and_evaluate` measured: the fit's history, the test metrics (by name, as
    ``model.evaluate`` returns them), the model's size, and the median seconds per epoch after
    the first (the first includes tracing)."""

    history: dict
    test: dict
    parameters: int
    seconds_per_epoch: float
    epochs: int


class FusedAdam(keras.optimizers.Adam):
    """Keras' Adam, with each weight's update made by TensorFlow's fused kernel
    (``ResourceApplyAdam``): the same arithmetic, in one pass over the weight instead of a dozen
    element-wise operations that each read and write all of it.

    It matters where one weight is large and the rest of a step is cheap: an embedding table of
    every word of a corpus, which Adam updates whole at every step however few of its rows the
    batch used (chapter 23). On other backends, which compile the update as a whole anyway, and
    with ``amsgrad``, it is Keras' own update.

    One difference, on TensorFlow only: an embedding's gradient comes as one row per occurrence
    of a word in the batch (``tf.IndexedSlices``). Adam's second moment needs the square of the
    word's summed gradient; Keras 3's Adam squares the rows before summing them, and so differs
    from Adam, and from itself on JAX, when a batch repeats a word. This class sums first.
    ``tests/test_training.py`` checks both cases against Keras' Adam given dense gradients."""

    def update_step(self, gradient, variable, learning_rate):
        if keras.backend.backend() != "tensorflow" or self.amsgrad:
            return super().update_step(gradient, variable, learning_rate)
        import tensorflow as tf

        dtype = variable.dtype
        step = tf.cast(self.iterations + 1, dtype)
        beta_1, beta_2 = tf.cast(self.beta_1, dtype), tf.cast(self.beta_2, dtype)
        index = self._get_variable_index(variable)
        # a sparse gradient (an embedding's) is summed into a dense one first, so that a
        # repeated word's rows add up before the kernel squares them (Keras' Adam squares first)
        gradient = tf.cast(tf.convert_to_tensor(gradient), dtype)
        tf.raw_ops.ResourceApplyAdam(
            var=variable.handle,
            m=self._momentums[index].handle,
            v=self._velocities[index].handle,
            beta1_power=beta_1**step,
            beta2_power=beta_2**step,
            lr=tf.cast(learning_rate, dtype),
            beta1=beta_1,
            beta2=beta_2,
            epsilon=tf.cast(self.epsilon, dtype),
            grad=gradient,
        )


# saved from chapter 04, where it is taught
def training_steps(x, y, epochs, batch_size, validation):
    """How many optimizer steps a fit takes (what a learning-rate schedule
    spans). x is one input array, several (a list or dict of arrays with the
    same rows), or, when y is None, a dataset of batches."""
    if y is None:
        return epochs * len(x)
    rows = len(keras.tree.flatten(x)[0])
    kept = 1 - validation if isinstance(validation, float) else 1
    return epochs * int(np.ceil(kept * rows / batch_size))


# saved from chapter 04, where it is taught
def optimizer_for(optimizer, learning_rate, clipnorm=None, steps=None):
    """An instance of the optimizer class `optimizer`. With `steps`, its
    learning rate falls from `learning_rate` to zero along a cosine over
    that many steps."""
    if steps is not None:
        learning_rate = keras.optimizers.schedules.CosineDecay(learning_rate, steps)
    return optimizer(learning_rate, clipnorm=clipnorm)


# saved from chapter 04, where it is taught
def training_callbacks(patience=None, monitor="val_loss"):
    """An EpochTimer, and the callbacks for fit: the timer, and early
    stopping on `monitor` that keeps the best weights if `patience` is set."""
    timer = EpochTimer()
    if patience is None:
        return timer, [timer]
    stop = keras.callbacks.EarlyStopping(monitor=monitor, patience=patience, restore_best_weights=True)
    return timer, [timer, stop]


# ``train`` and ``test`` are ``(x, y)`` pairs, or ``(dataset, None)`` for a tf.data.Dataset of
# ``(x, y)`` batches that keeps its own order (chapter 23's; ``batch_size`` is then unused).
# ``validation`` is a fraction of ``train`` held out (the last rows, as Keras does), an ``(x, y)``
# pair or a dataset (or None: no validation); ``patience`` turns on early stopping on ``monitor``,
# keeping the best epoch's weights; ``cosine_decay`` lowers the learning rate to 0 over the whole
# run; ``optimizer`` is the optimizer's class (Adam unless chapter 23's FusedAdam); ``verbose``
# defaults to 0 in quick mode and 2 in full mode.
# saved from chapter 04, where it is taught
def fit_and_evaluate(
    model,
    train,
    test,
    *,
    epochs,
    loss,
    metrics=("accuracy",),
    batch_size=64,
    learning_rate=1e-3,
    cosine_decay=False,
    clipnorm=None,
    optimizer=keras.optimizers.Adam,
    validation=0.1,
    patience=None,
    monitor="val_loss",
    verbose=None,
):
    """Compile ``model`` (``optimizer`` is a class), fit it on ``train =
    (x, y)``, evaluate it on ``test``; return what was measured (Trained)."""
    (x, y), (x_test, y_test) = train, test
    held_out = isinstance(validation, float)  # a fraction of train
    steps = None  # a constant learning rate
    if cosine_decay:
        steps = training_steps(x, y, epochs, batch_size, validation)
    optimizer = optimizer_for(optimizer, learning_rate, clipnorm, steps)
    model.compile(optimizer=optimizer, loss=loss, metrics=list(metrics))
    timer, callbacks = training_callbacks(patience, monitor)
    history = model.fit(
        x,
        y,
        batch_size=batch_size,
        epochs=epochs,
        validation_split=validation if held_out else 0.0,
        validation_data=None if held_out else validation,
        callbacks=callbacks,
        verbose=quick_or_full(0, 2) if verbose is None else verbose,
    )
    scores = model.evaluate(x_test, y_test, batch_size=512, verbose=0, return_dict=True)
    return Trained(
        history.history, scores, model.count_params(), timer.median_after_first, len(timer.seconds)
    )
