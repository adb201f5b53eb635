"""Chapter 22's harness: five sequence models on the same input, and what one training step costs.

Chapter 22 (the comparison table, measured) builds the five models (SimpleRNN, LSTM, GRU, a
``Conv1D`` network and a causal dilated stack, each about 5,000 weights on 8 features), times one
training step of each as sequences grow, and reads the step's peak memory on each backend. Every
function here is written out in that chapter and checked equal to its copy by
``tests/test_taught_once.py``; so are the constants and ``BODIES``, named in ``CONSTANTS_FROM``.
Chapter 26 puts a Transformer in the same harness.
"""

from __future__ import annotations

import keras
import pandas as pd
from keras import layers

from cnnrnn.models import causal_dilated_stack
from cnnrnn.timing import time_call

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
def training_memory_tensorflow(model, x, y):
    """Peak bytes held by TensorFlow's allocator during one training step,
    above what it held just before."""
    import tensorflow as tf

    device = "GPU:0" if tf.config.list_physical_devices("GPU") else "CPU:0"
    tf.config.experimental.reset_memory_stats(device)
    before = tf.config.experimental.get_memory_info(device)["current"]
    model.train_on_batch(x, y)
    peak = tf.config.experimental.get_memory_info(device)["peak"] - before
    if peak <= 0:
        raise RuntimeError(
            "TensorFlow's allocator kept no statistics. On a CPU, set "
            "TF_CPU_ALLOCATOR_USE_BFC=true before TensorFlow is imported: "
            "restart the kernel and run the imports cell first."
        )
    return peak


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
def time_training(models, lengths, repeats, rng):
    """One row per model and length: the median seconds of `repeats` timed
    training steps after one untimed, and the peak MB of one more step."""
    rows = []
    for length in lengths:
        x = rng.normal(size=(BATCH, length, FEATURES)).astype("float32")
        y = rng.normal(size=(BATCH, 1)).astype("float32")
        for name, model in models.items():

            def train_step(model=model, x=x, y=y):
                model.train_on_batch(x, y)

            timing = time_call(train_step, warmup=1, repeats=repeats)
            rows.append(
                {
                    "model": name,
                    "T": length,
                    "seconds per step": timing.median,
                    "peak MB": training_memory(model, x, y) / 1e6,
                }
            )
    return pd.DataFrame(rows)
