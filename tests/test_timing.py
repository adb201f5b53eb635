import os

import keras
import numpy as np
import pytest

from cnnrnn.timing import (
    EpochTimer,
    Timing,
    cpu_description,
    machine_description,
    time_call,
    time_training_steps,
)


def test_time_call_warms_up_then_repeats():
    calls = []
    timing = time_call(lambda: calls.append(1), warmup=2, repeats=5)
    assert len(calls) == 7 and len(timing.seconds) == 5
    assert timing.median >= 0


def test_median_is_robust_to_one_slow_run():
    assert Timing([1.0, 1.0, 9.0]).median == 1.0


def test_time_call_needs_a_repeat():
    with pytest.raises(ValueError, match="repeats"):
        time_call(lambda: None, repeats=0)


class _Model:
    """Stands in for a Keras model: records whose step ran, in what order."""

    def __init__(self, name, calls):
        self.name, self.calls = name, calls

    def train_on_batch(self, x, y):
        self.calls.append(self.name)


def test_time_training_steps_warms_each_model_up_then_takes_turns():
    calls = []
    models = {name: _Model(name, calls) for name in "ab"}
    seconds = time_training_steps(models, None, None, rounds=3)
    assert calls == ["a", "b"] + ["a", "b"] * 3
    assert {name: len(times) for name, times in seconds.items()} == {"a": 3, "b": 3}
    assert min(min(times) for times in seconds.values()) >= 0


def test_time_training_steps_needs_a_round_before_training_anything():
    calls = []
    with pytest.raises(ValueError, match="rounds must be at least 1"):
        time_training_steps({"a": _Model("a", calls)}, None, None, rounds=0)
    assert calls == []


def test_epoch_timer_records_every_epoch():
    import keras

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    timer = EpochTimer()
    model.fit(np.zeros((8, 2)), np.zeros(8), epochs=3, verbose=0, callbacks=[timer])
    assert len(timer.seconds) == 3 and timer.median_after_first > 0


def test_machine_description_names_the_cores():
    assert "cores" in machine_description()


def test_cpu_description_counts_the_cores_this_process_may_use():
    cores = len(os.sched_getaffinity(0))
    assert cpu_description().endswith(f", {cores} cores")
    assert machine_description().startswith(cpu_description())


def test_machine_description_names_the_backend_and_says_when_there_is_no_gpu(monkeypatch):
    import cnnrnn.timing as timing

    monkeypatch.setattr(timing, "accelerator_names", lambda: [])
    assert "no GPU" in machine_description()
    assert f"({keras.backend.backend()})" in machine_description()
    monkeypatch.setattr(timing, "accelerator_names", lambda: ["NVIDIA H200", "NVIDIA H200"])
    assert "2 × NVIDIA H200" in machine_description()
