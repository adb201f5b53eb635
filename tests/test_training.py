"""Unit tests of the helpers that later chapters call after an earlier one taught them."""

import keras
import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from keras import layers

from cnnrnn.cost import multiply_adds
from cnnrnn.plots import plot_learning_curves
from cnnrnn.scratch import sigmoid
from cnnrnn.text import clean_reviews
from cnnrnn.training import Trained, fit_and_evaluate, training_steps


def _data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    return x, (x[:, 0] > 0).astype("int32")


def _model():
    keras.utils.set_random_seed(0)
    return keras.Sequential([keras.Input((4,)), layers.Dense(2, activation="softmax")])


@pytest.mark.parametrize("options", [
    {},
    {"cosine_decay": True, "clipnorm": 1.0},
    {"validation": None},
    {"patience": 1, "monitor": "val_accuracy"},
])
def test_fit_and_evaluate_reports_what_it_measured(options):
    train, test = _data(), _data(32, seed=1)
    result = fit_and_evaluate(_model(), train, test, epochs=3, batch_size=16,
                              loss="sparse_categorical_crossentropy", verbose=0, **options)
    assert isinstance(result, Trained)
    assert set(result.test) == {"loss", "accuracy"} and 0 <= result.test["accuracy"] <= 1
    assert result.parameters == 4 * 2 + 2
    assert 1 <= result.epochs <= 3 and len(result.history["loss"]) == result.epochs
    assert ("val_loss" in result.history) == (options.get("validation", 0.1) is not None)
    assert result.seconds_per_epoch > 0


def test_fit_and_evaluate_takes_validation_data_and_stops_early():
    train, test = _data(), _data(32, seed=1)
    result = fit_and_evaluate(_model(), train, test, epochs=50, batch_size=16, learning_rate=0.0,
                              loss="sparse_categorical_crossentropy", validation=test,
                              patience=2, verbose=0)
    assert result.epochs == 3  # nothing improves after the first epoch at a learning rate of 0


def test_clean_reviews_turns_line_breaks_into_spaces():
    assert clean_reviews(["Good.<br /><br />Bad.", "plain"]) == ["Good.  Bad.", "plain"]


def test_multiply_adds_counts_each_weight_once_per_output_position():
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(8, 3),                # 26 x 26 positions x (3*3*1*8) weights
        layers.MaxPooling2D(),
        layers.Flatten(),
        layers.Dense(10),                   # one position x (13*13*8*10) weights
    ])
    assert multiply_adds(model) == 26 * 26 * 72 + 13 * 13 * 8 * 10
    sequence = keras.Sequential([keras.Input((50, 3)), layers.Conv1D(5, 4), layers.Dense(2)])
    assert multiply_adds(sequence) == 47 * 4 * 3 * 5 + 47 * 5 * 2  # Dense at every step


def test_sigmoid():
    np.testing.assert_allclose(sigmoid(np.array([0.0, 50.0, -50.0])), [0.5, 1.0, 0.0], atol=1e-12)


def test_plot_learning_curves_can_draw_the_loss_on_a_log_scale():
    history = {"accuracy": [0.5, 0.9], "loss": [1.0, 0.01], "val_accuracy": [0.5, 0.8],
               "val_loss": [1.1, 0.1]}
    axes = plot_learning_curves({"model": history}, log_loss=True)
    assert axes[1].get_yscale() == "log" and axes[0].get_yscale() == "linear"


def test_fit_and_evaluate_takes_datasets_that_hold_their_labels():
    # Chapter 23 trains on cnnrnn.batching's datasets: (dataset, None) stands for (x, y), and
    # the dataset's own order of batches is kept (Keras ignores fit's shuffle for a dataset,
    # and cnnrnn.config.quiet() silences its notice that it does).
    import warnings

    import tensorflow as tf

    from cnnrnn.config import quiet

    (x, y), (x_test, y_test) = _data(), _data(32, seed=1)
    train = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)
    test = tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(16)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        quiet()
        result = fit_and_evaluate(_model(), (train, None), (test, None), epochs=3,
                                  loss="sparse_categorical_crossentropy", validation=test,
                                  patience=1, monitor="val_accuracy", verbose=0)
    assert set(result.test) == {"loss", "accuracy"}
    assert 1 <= result.epochs <= 3 and "val_accuracy" in result.history
    expected = _model()  # the same, written out: compile, fit on the dataset, evaluate
    expected.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                     metrics=["accuracy"])
    expected.fit(train, validation_data=test, epochs=3, shuffle=False, verbose=0, callbacks=[
        keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=1,
                                      restore_best_weights=True)])
    _, accuracy = expected.evaluate(test, verbose=0)
    assert result.test["accuracy"] == pytest.approx(accuracy, abs=1e-7)


def test_training_steps_counts_rows_of_the_first_input_and_batches_of_a_dataset():
    x = np.zeros((100, 4))
    # one array: the rows not held out, in batches (the schedule fit_and_evaluate always used)
    assert training_steps(x, x, epochs=3, batch_size=16, validation=0.1) == 3 * 6
    assert training_steps(x, x, epochs=2, batch_size=16, validation=None) == 2 * 7
    # several inputs: the rows of one input, not the number of inputs
    assert training_steps([x, x[:, :2]], x, epochs=1, batch_size=10, validation=None) == 10
    assert training_steps({"a": x, "b": x}, x, epochs=1, batch_size=10, validation=0.5) == 5
    # a dataset of batches: its length is already the batches per epoch
    assert training_steps(list(range(7)), None, epochs=4, batch_size=999, validation=None) == 28
