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


# ``train`` and ``test`` are ``(x, y)`` pairs, or ``(dataset, None)`` for a tf.data.Dataset of
# ``(x, y)`` batches that keeps its own order (chapter 23's; ``batch_size`` is then unused).
# ``validation`` is a fraction of ``train`` held out (the last rows, as Keras does), an ``(x, y)``
# pair or a dataset (or None: no validation); ``patience`` turns on early stopping on ``monitor``,
# keeping the best epoch's weights; ``cosine_decay`` lowers the learning rate to 0 over the whole
# run; ``verbose`` defaults to 0 in quick mode and 2 in full mode.
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
    validation=0.1,
    patience=None,
    monitor="val_loss",
    verbose=None,
):
    """Compile ``model`` (Adam), fit it on ``train = (x, y)``, evaluate it on
    ``test``, and return what was measured as a ``Trained``."""
    (x, y), (x_test, y_test) = train, test
    held_out = isinstance(validation, float)  # a fraction of train
    if cosine_decay:
        steps = training_steps(x, y, epochs, batch_size, validation)
        learning_rate = keras.optimizers.schedules.CosineDecay(learning_rate, steps)
    optimizer = keras.optimizers.Adam(learning_rate, clipnorm=clipnorm)
    model.compile(optimizer=optimizer, loss=loss, metrics=list(metrics))
    timer = EpochTimer()
    callbacks = [timer]
    if patience is not None:
        stop = keras.callbacks.EarlyStopping(monitor=monitor, patience=patience, restore_best_weights=True)
        callbacks.append(stop)
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
