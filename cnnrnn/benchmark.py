"""Chapter 22's harness: five sequence models on the same input, and what one training step costs.

Chapter 22 (the comparison table, measured) builds the five models (SimpleRNN, LSTM, GRU, a
``Conv1D`` network and a causal dilated stack, each about 5,000 weights on 8 features), times one
training step of each as sequences grow, and reads the step's peak memory on each backend. Every
function here is written out in that chapter and checked equal to its copy by
``tests/test_taught_once.py``; so are the constants and ``BODIES``, named in ``CONSTANTS_FROM``.
Chapter 26 puts a Transformer in the same harness.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys

import keras
import numpy as np
import pandas as pd
from keras import layers

from cnnrnn.models import causal_dilated_stack
from cnnrnn.timing import time_training_steps

# Chapter 22's assignments of these names are checked equal to the ones below.
CONSTANTS_FROM = (
    "22_table_measured",
    ("FEATURES", "BATCH", "KERNEL", "DILATIONS", "TCN_FILTERS", "BODIES", "RECURRENT"),
)

FEATURES, BATCH = 8, 32  # every model reads (BATCH, T, FEATURES)
KERNEL, DILATIONS, TCN_FILTERS = 3, (1, 2, 4, 8), 20


# saved from chapter 22
def two_convs(inputs):
    x = inputs
    for _ in range(2):
        x = layers.Conv1D(28, 5, padding="same", activation="relu")(x)
    return x


# saved from chapter 22
def tcn_last_step(inputs):
    x = causal_dilated_stack(inputs, TCN_FILTERS, KERNEL, DILATIONS)
    return x[:, -1, :]  # an output at every step: read the last one


BODIES = {  # each maps (batch, T, FEATURES) to (batch, width)
    "SimpleRNN": lambda x, unroll: layers.SimpleRNN(64, unroll=unroll)(x),
    "LSTM": lambda x, unroll: layers.LSTM(32, unroll=unroll)(x),
    "GRU": lambda x, unroll: layers.GRU(36, unroll=unroll)(x),
    "Conv1D": lambda x, unroll: layers.GlobalMaxPooling1D()(two_convs(x)),
    "TCN": lambda x, unroll: tcn_last_step(x),
}
RECURRENT = ("SimpleRNN", "LSTM", "GRU")


# saved from chapter 22
def build(name, length=None, unroll=False):
    # One of the five models, (batch, length, FEATURES) -> (batch, 1).
    # length=None accepts any length; unroll=True (recurrent models, with a
    # fixed length) writes one copy of the cell per step into the graph.
    inputs = keras.Input(shape=(length, FEATURES))
    outputs = layers.Dense(1)(BODIES[name](inputs, unroll))
    return keras.Model(inputs, outputs, name=name)


# saved from chapter 22
def training_memory_tensorflow(model, x, y, steps=5):
    """Peak bytes held by TensorFlow's allocator during a training step,
    above what it held just before: the largest of `steps` steps, since
    the peak moves with the order in which the step's operations run."""
    import tensorflow as tf

    device = "GPU:0" if tf.config.list_physical_devices("GPU") else "CPU:0"
    peaks = []
    for _ in range(steps):
        tf.config.experimental.reset_memory_stats(device)
        before = tf.config.experimental.get_memory_info(device)["current"]
        model.train_on_batch(x, y)
        info = tf.config.experimental.get_memory_info(device)
        peaks.append(info["peak"] - before)
    if max(peaks) <= 0:
        raise RuntimeError(
            "TensorFlow's allocator kept no statistics. On a CPU, set "
            "TF_CPU_ALLOCATOR_USE_BFC=true before TensorFlow is imported: "
            "restart the kernel and run the imports cell first."
        )
    return max(peaks)


# saved from chapter 22
def training_memory_jax(model, x, y):
    """Scratch bytes in XLA's plan for one training step (Keras' own
    train_step, compiled for this input), counted before it runs."""
    import jax

    state = tuple(
        [w.value for w in weights]
        for weights in (
            model.trainable_variables,
            model.non_trainable_variables,
            model.optimizer.variables,
            model.metrics_variables,
        )
    )
    step = jax.jit(model.train_step).lower(state, (x, y)).compile()
    return step.memory_analysis().temp_size_in_bytes


# saved from chapter 22
def training_memory_torch(model, x, y):
    """Peak bytes held by PyTorch's GPU allocator during one training step,
    above what it held just before; NaN on a CPU, where PyTorch keeps no
    such statistics."""
    import torch

    if not torch.cuda.is_available():
        return float("nan")
    torch.cuda.reset_peak_memory_stats()
    before = torch.cuda.memory_allocated()
    model.train_on_batch(x, y)
    return torch.cuda.max_memory_allocated() - before


def training_memory(model, x, y):
    """The memory of one training step, measured the way the running backend allows (chapter 22,
    section "Memory for training"): the ``training_memory_<backend>`` function above."""
    measure = {
        "tensorflow": training_memory_tensorflow,
        "jax": training_memory_jax,
        "torch": training_memory_torch,
    }[keras.backend.backend()]
    return measure(model, x, y)


# saved from chapter 22
def time_training(models, lengths, repeats, rng, memory=True):
    """One row per model and length: the median seconds of `repeats` timed
    training steps, the models in turns after an untimed step each, and
    (unless memory=False) the peak MB that training_memory measures."""
    rows = []
    for length in lengths:
        x = rng.normal(size=(BATCH, length, FEATURES)).astype("float32")
        y = rng.normal(size=(BATCH, 1)).astype("float32")
        seconds = time_training_steps(models, x, y, repeats)
        for name, model in models.items():
            rows.append(
                {
                    "model": name,
                    "T": length,
                    "seconds per step": np.median(seconds[name]),
                    "peak MB": (training_memory(model, x, y) / 1e6 if memory else np.nan),
                }
            )
    return pd.DataFrame(rows)


# Keras' backends; each is named after the framework it needs installed.
BACKENDS = ("tensorflow", "jax", "torch")


def installed_backends() -> list[str]:
    """The Keras backends whose framework is installed in this Python."""
    return [backend for backend in BACKENDS if importlib.util.find_spec(backend)]


def speed_on_backend(backend, lengths, repeats, seed=0, timeout=3600):
    """``time_training``'s seconds per step for chapter 22's five models (no memory), measured
    in a new Python process whose Keras runs on ``backend`` (Keras picks its backend once per
    process). Each model is built for any length and compiled with Adam and the mean squared
    error, as in the chapter. The ``backend`` column says where each row was measured."""
    if backend not in BACKENDS:
        raise ValueError(f"{backend!r} is not a Keras backend: use one of {list(BACKENDS)}")
    if backend not in installed_backends():
        raise ModuleNotFoundError(
            f"{backend} is not installed in this Python, so "
            f"Keras cannot run on {backend} here."
        )
    command = [
        sys.executable,
        "-m",
        "cnnrnn.benchmark",
        "--repeats",
        str(repeats),
        "--seed",
        str(seed),
        "--lengths",
        *map(str, lengths),
    ]
    done = subprocess.run(
        command, env=dict(os.environ, KERAS_BACKEND=backend), capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"the benchmark on {backend} failed (exit {done.returncode}):\n{done.stderr[-3000:]}"
        )
    table = pd.DataFrame(json.loads(done.stdout.strip().splitlines()[-1]))
    measured_on = table["backend"].unique().tolist()
    if measured_on != [backend]:
        raise RuntimeError(f"asked for {backend}, the benchmark ran on {measured_on}")
    return table


def _main(argv=None) -> None:
    """What ``speed_on_backend`` runs: the table, as one line of JSON on standard output."""
    parser = argparse.ArgumentParser(description=speed_on_backend.__doc__.split(".")[0])
    parser.add_argument("--lengths", type=int, nargs="+", required=True)
    parser.add_argument("--repeats", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    from cnnrnn.config import quiet

    quiet()
    keras.utils.set_random_seed(args.seed)
    models = {name: build(name) for name in BODIES}
    for model in models.values():
        model.compile(optimizer="adam", loss="mse")
    rng = np.random.default_rng(args.seed)
    table = time_training(models, args.lengths, args.repeats, rng, memory=False)
    table["backend"] = keras.backend.backend()
    print(json.dumps(table.to_dict("records")))


if __name__ == "__main__":
    _main()
