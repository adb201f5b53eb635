"""Honest timing: warm up first, repeat, report the median, and say which machine ran it."""

from __future__ import annotations

import os
import platform
import statistics
import time
from dataclasses import dataclass

import keras


@dataclass(frozen=True)
class Timing:
    """Wall-clock seconds of repeated runs after warm-up; ``median`` is the number to report."""

    seconds: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    def __str__(self):
        return (f"median {self.median:.4f} s over {len(self.seconds)} runs "
                f"(min {min(self.seconds):.4f}, max {max(self.seconds):.4f})")


def time_call(fn, *, warmup: int = 1, repeats: int = 5) -> Timing:
    """Call ``fn()`` ``warmup`` times untimed (tracing, caches), then time ``repeats`` calls."""
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats}")
    for _ in range(warmup):
        fn()
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        seconds.append(time.perf_counter() - start)
    return Timing(seconds)


class EpochTimer(keras.callbacks.Callback):
    """Records the wall-clock time of every training epoch in ``self.seconds``.

    The first epoch includes graph tracing, so :attr:`median_after_first` is the per-epoch cost to
    report; it falls back to the first epoch when only one was run.
    """

    def on_train_begin(self, logs=None):
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)

    @property
    def median_after_first(self) -> float:
        return statistics.median(self.seconds[1:] or self.seconds)


def cpu_description() -> str:
    """The CPU's model name and the number of cores this process may use, e.g. "AMD EPYC, 2 cores"."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{cpu}, {cores} cores"


def machine_description() -> str:
    """One line naming the CPU, the cores this process may use, and the accelerator, if any."""
    accelerator = "no GPU"
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        if gpus:
            accelerator = f"{len(gpus)} GPU(s)"
    return f"{cpu_description()}, {accelerator}; Keras {keras.__version__} ({keras.backend.backend()})"
