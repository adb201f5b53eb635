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
from cnnrnn.training import (
    FusedAdam,
    Trained,
    fit_and_evaluate,
    keras_uses_xla,
    training_steps,
)


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


tensorflow_only = pytest.mark.skipif(keras.backend.backend() != "tensorflow",
                                     reason="sparse gradients (tf.IndexedSlices) are TensorFlow's")


@pytest.mark.parametrize("options", [{}, {"cosine_decay": True, "clipnorm": 0.1}])
def test_fit_and_evaluate_trains_with_the_optimizer_class_it_is_given(options):
    # FusedAdam (chapter 23's) makes the updates of Keras' Adam, up to float rounding
    x, y = _data(96)
    trained = {}
    for optimizer in (keras.optimizers.Adam, FusedAdam):
        model = _model()
        fit_and_evaluate(model, (x, y), (x, y), epochs=3, loss="sparse_categorical_crossentropy",
                         batch_size=16, learning_rate=1e-2, validation=None,
                         optimizer=optimizer, verbose=0, **options)
        assert isinstance(model.optimizer, optimizer)
        trained[optimizer] = model.get_weights()
    for ours, adam, start in zip(trained[FusedAdam], trained[keras.optimizers.Adam],
                                 _model().get_weights(), strict=True):
        assert not np.allclose(adam, start)  # training moved every weight
        np.testing.assert_allclose(ours, adam, rtol=1e-5, atol=1e-6)


@tensorflow_only
def test_fused_adam_is_adam_on_an_embeddings_sparse_gradient():
    # An embedding's gradient holds one row per occurrence of a word in the batch, so a
    # repeated word repeats its row index. Adam sums those rows into the word's gradient and
    # squares the sum. FusedAdam must make the update that Keras' Adam makes from the same
    # gradient written out dense, where the sum comes first.
    import tensorflow as tf

    rng = np.random.default_rng(0)
    start = rng.normal(size=(6, 3)).astype("float32")
    rows = [rng.normal(size=(3, 3)).astype("float32") for _ in range(4)]
    indices = tf.constant([1, 4, 1])  # word 1 twice
    trained = {}
    for optimizer, dense in ((FusedAdam, False), (keras.optimizers.Adam, True)):
        variable, adam = keras.Variable(start), optimizer(0.1)
        for values in rows:
            gradient = tf.IndexedSlices(tf.constant(values), indices, tf.constant([6, 3]))
            adam.apply([tf.convert_to_tensor(gradient) if dense else gradient], [variable])
        trained[optimizer] = keras.ops.convert_to_numpy(variable)
    ours, adam = trained[FusedAdam], trained[keras.optimizers.Adam]
    assert not np.allclose(ours[[1, 4]], start[[1, 4]])
    np.testing.assert_array_equal(ours[[0, 2, 3, 5]], start[[0, 2, 3, 5]])  # never used
    # float rounding: 1e-5 is a ten-thousandth of a step here; Keras' Adam given the sparse
    # gradient itself squares word 1's two rows apart and misses by about a thousand times that
    np.testing.assert_allclose(ours, adam, rtol=1e-5, atol=1e-5)


@tensorflow_only
def test_keras_adam_on_tensorflow_squares_a_repeated_words_rows_apart():
    # What chapter 23 says of Keras' Adam (keras 3.15): given a sparse gradient with a repeated
    # row index, its second moment gets the sum of the rows' squares, not the square of their
    # sum. If a Keras release fixes that, this fails: then update the chapter's sentence.
    import tensorflow as tf

    rows = tf.constant([[1.0], [2.0]])  # one word, twice in the batch
    gradient = tf.IndexedSlices(rows, tf.constant([0, 0]), tf.constant([2, 1]))
    second_moment = {}
    for name, given in (("sparse", gradient), ("dense", tf.convert_to_tensor(gradient))):
        adam = keras.optimizers.Adam(0.1)
        variable = keras.Variable(np.zeros((2, 1), "float32"))
        adam.apply([given], [variable])
        velocity = next(v for v in adam.variables if v.path.endswith("velocity"))
        second_moment[name] = keras.ops.convert_to_numpy(velocity)[0, 0]  # the word's
    beta_2 = 0.999
    assert second_moment["dense"] == pytest.approx((1 - beta_2) * 3.0**2)
    assert second_moment["sparse"] == pytest.approx((1 - beta_2) * (1.0**2 + 2.0**2))


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


def test_keras_uses_xla_is_keras_own_choice(monkeypatch):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")  # jit_compile="auto"
    assert bool(model.jit_compile) is keras_uses_xla()
    if keras.backend.backend() == "tensorflow":  # as on a GPU: Keras compiles with XLA
        import tensorflow as tf

        gpu = tf.config.PhysicalDevice(name="/physical_device:GPU:0", device_type="GPU")
        monkeypatch.setattr(tf.config, "list_physical_devices", lambda *_: [gpu])
        assert keras_uses_xla()
        assert model._resolve_auto_jit_compile()
