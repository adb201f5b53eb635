import os

import keras
import numpy as np
import pytest

from cnnrnn.timing import EpochTimer, Timing, cpu_description, machine_description, time_call


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
