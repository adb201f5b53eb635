"""cnnrnn.benchmark: chapter 22's harness, which chapter 26 reuses.

Its functions, its constants and the ``BODIES`` table are checked equal to chapter 22's by
test_taught_once; these tests check what the harness does.
"""

import keras
import numpy as np
import pytest

from cnnrnn import benchmark


@pytest.mark.parametrize("name", list(benchmark.BODIES))
def test_five_models_have_equal_budgets_and_accept_any_length(name):
    model = benchmark.build(name)
    assert 4_000 < model.count_params() < 6_500, model.count_params()
    for length in (7, 40):
        x = np.zeros((2, length, benchmark.FEATURES), "float32")
        assert tuple(model(x).shape) == (2, 1)


def test_time_training_gives_one_row_per_model_and_length(monkeypatch):
    monkeypatch.setattr(benchmark, "training_memory", lambda model, x, y: 2e6)
    models = {name: benchmark.build(name) for name in ("LSTM", "Conv1D")}
    for model in models.values():
        model.compile(optimizer="adam", loss="mse")
    speed = benchmark.time_training(models, (5, 9), 1, np.random.default_rng(0))
    assert list(speed.columns) == ["model", "T", "seconds per step", "peak MB"]
    assert sorted(zip(speed["model"], speed["T"], strict=True)) == sorted(
        (name, length) for name in models for length in (5, 9))
    assert (speed["seconds per step"] > 0).all() and (speed["peak MB"] == 2.0).all()


def test_time_training_refuses_no_repeats():
    models = {"LSTM": benchmark.build("LSTM")}
    models["LSTM"].compile(optimizer="adam", loss="mse")
    with pytest.raises(ValueError, match="at least 1"):
        benchmark.time_training(models, (5,), 0, np.random.default_rng(0))


def test_speed_on_backend_measures_in_a_process_of_that_backend():
    table = benchmark.speed_on_backend(keras.backend.backend(), [6], 1)
    assert sorted(table["model"]) == sorted(benchmark.BODIES)
    assert (table["T"] == 6).all() and (table["seconds per step"] > 0).all()
    assert (table["backend"] == keras.backend.backend()).all()


def test_speed_on_backend_says_what_is_wrong(monkeypatch):
    with pytest.raises(ValueError, match="not a Keras backend"):
        benchmark.speed_on_backend("numpy", [6], 1)
    monkeypatch.setattr(benchmark, "installed_backends", lambda: ["tensorflow"])
    with pytest.raises(ModuleNotFoundError, match="torch is not installed"):
        benchmark.speed_on_backend("torch", [6], 1)
