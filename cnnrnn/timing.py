"""Honest timing: warm up first, repeat, report the median, and say which machine ran it."""

from __future__ import annotations

import os
import platform
import statistics
import time
from dataclasses import dataclass
from functools import partial

import keras


@dataclass(frozen=True)
class Timing:
    """Wall-clock seconds of repeated runs after warm-up; ``median`` is the number to report."""

    seconds: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    def __str__(self):
        return (
            f"median {self.median:.4f} s over {len(self.seconds)} runs "
            f"(min {min(self.seconds):.4f}, max {max(self.seconds):.4f})"
        )


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


# saved from chapter 07
def time_training_steps(models, x, y, rounds):
    """Seconds of `rounds` training steps of each model on (x, y), after
    an untimed one each; the models take turns, one timed step each per
    round, so that a change in the machine's load falls on all of them."""
    if rounds < 1:
        raise ValueError(f"rounds must be at least 1, got {rounds}")
    for model in models.values():
        model.train_on_batch(x, y)  # the first step traces and compiles
    seconds = {name: [] for name in models}
    for _ in range(rounds):
        for name, model in models.items():
            step = partial(model.train_on_batch, x, y)
            seconds[name].append(time_call(step, warmup=0, repeats=1).median)
    return seconds


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


def accelerator_names() -> list[str]:
    """The GPUs the running Keras backend will use, by name (empty on a CPU-only machine)."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        return [
            tf.config.experimental.get_device_details(gpu).get("device_name", "GPU")
            for gpu in tf.config.list_physical_devices("GPU")
        ]
    if backend == "jax":
        import jax

        return [device.device_kind for device in jax.devices() if device.platform == "gpu"]
    if backend == "torch":
        import torch

        return [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    return []


def machine_description() -> str:
    """One line naming the CPU, the cores this process may use, and the accelerator, if any."""
    names = accelerator_names()
    accelerator = "no GPU"
    if names:
        accelerator = ", ".join(f"{names.count(name)} × {name}" for name in dict.fromkeys(names))
    return f"{cpu_description()}, {accelerator}; Keras {keras.__version__} ({keras.backend.backend()})"
