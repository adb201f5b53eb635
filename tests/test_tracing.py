"""cnnrnn.tracing: each model's training step is traced once on TensorFlow, and nothing it
computes changes."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import layers

from cnnrnn import tracing

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="the change is TensorFlow's only"
)


class Counted(keras.Model):
    """A functional model that counts how often Keras traces its training step."""

    traces = 0

    def train_step(self, data):
        Counted.traces += 1  # runs only while TensorFlow traces the step
        return super().train_step(data)


def _model():
    keras.utils.set_random_seed(0)
    words = keras.Input((12,), dtype="int32")
    x = layers.Embedding(50, 8)(words)
    x = layers.Dropout(0.2)(layers.Conv1D(8, 3, activation="relu")(x))
    out = layers.Dense(1, activation="sigmoid")(layers.LSTM(8)(x))
    model = Counted(words, out)
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def _data(n=90):
    rng = np.random.default_rng(0)
    return rng.integers(0, 50, (n, 12)).astype("int32"), rng.integers(0, 2, n)


def _shuffled_batches(x, y):
    """A dataset that draws its own order from a generator: building must not advance it."""
    rng = np.random.default_rng(1)

    def batches():
        order = rng.permutation(len(x))
        for start in range(0, len(x), 32):  # the last batch is smaller
            rows = order[start : start + 32]
            yield x[rows], y[rows]

    spec = (tf.TensorSpec((None, 12), tf.int32), tf.TensorSpec((None,), tf.int64))
    dataset = tf.data.Dataset.from_generator(batches, output_signature=spec)
    return dataset.apply(tf.data.experimental.assert_cardinality(3))


def _train(data_kind, keras_own, monkeypatch):
    assert tracing.build_before_tracing()
    if keras_own:
        from keras.src.backend.tensorflow.trainer import TensorFlowTrainer

        keras_build = getattr(TensorFlowTrainer, tracing.KERAS_OWN)
        monkeypatch.setattr(TensorFlowTrainer, "_maybe_symbolic_build", keras_build)
    Counted.traces = 0
    model = _model()
    x, y = _data()
    if data_kind == "arrays":
        history = model.fit(x, y, batch_size=32, epochs=2, validation_split=0.2, verbose=0)
    else:
        # The dataset draws its own order: shuffle=False says so (Keras warns that it ignores True).
        history = model.fit(_shuffled_batches(x, y), epochs=2, shuffle=False, verbose=0)
    monkeypatch.undo()
    return Counted.traces, history.history, model.get_weights()


@pytest.mark.parametrize("data_kind", ["arrays", "dataset"])
def test_one_trace_and_the_same_numbers(data_kind, monkeypatch):
    traces, history, weights = _train(data_kind, keras_own=False, monkeypatch=monkeypatch)
    keras_traces, keras_history, keras_weights = _train(data_kind, True, monkeypatch)
    assert keras_traces > traces == 1, (keras_traces, traces)
    assert history == keras_history
    for ours, theirs in zip(weights, keras_weights, strict=True):
        np.testing.assert_array_equal(ours, theirs)


def test_calling_it_again_changes_nothing():
    from keras.src.backend.tensorflow.trainer import TensorFlowTrainer

    assert tracing.build_before_tracing()
    method = TensorFlowTrainer._maybe_symbolic_build
    assert tracing.build_before_tracing()
    assert TensorFlowTrainer._maybe_symbolic_build is method
