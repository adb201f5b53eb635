"""Length-bucketed batches: sequences of similar length batched together, each batch padded only
to its own longest sequence, the batches in a new random order at every epoch.

Taught in chapter 12 (bidirectional RNNs, the IMDB sentiment model), where each function is
written out and checked equal to this copy by ``tests/test_taught_once.py``. ``ids`` is a list of
1-D integer arrays (word indices; 0 is padding), ``labels`` an int64 array. ``as_dataset`` needs
TensorFlow (``tf.data``), which is imported only when this module is.

Padding goes at the end (``padding="pre"`` puts it at the front): with the padding masked, the
side changes nothing a model computes, and the end is the only side where cuDNN, which runs
Keras' LSTM and GRU on an NVIDIA GPU with TensorFlow or PyTorch, accepts a mask.

Chapter 23 (sentences) uses options that chapter 12's defaults leave off: ties between equal
lengths broken at random (``batches_by_length(..., rng)``), batches cut anew at every pass
(``batches`` given as a function of the random generator, e.g.
``functools.partial(batches_by_length, ids, 50)``), padding to at least a minimum width
(``min_length=5``: the widest convolution filter), and, where Keras compiles with XLA
(``cnnrnn.training.keras_uses_xla``), widths rounded up to a multiple of 8 (``multiple=8``), so
that few batch shapes recur.

Chapter 03 (images) adds ``training_batches``: shuffled batches of arrays, each batch distorted
afresh by an augmentation pipeline as it is drawn, in ``tf.data`` rather than in the model (the
image augmentation layers cannot be compiled by XLA, and on JAX one inside a model makes Keras run
every step uncompiled).
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf


# saved from chapter 12, where it is taught
def batches_by_length(ids, batch_size, rng=None):
    """Index arrays of batches of sequences of similar length; with `rng`,
    ties between equal lengths are broken at random."""
    lengths = [len(sequence) for sequence in ids]
    if rng is None:
        order = np.argsort(lengths, kind="stable")
    else:  # by length, then by a random tie-breaker
        order = np.lexsort((rng.random(len(ids)), lengths))
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


# saved from chapter 12, where it is taught
def padded_batches(ids, labels, batches, rng=None, padding="post", min_length=0, multiple=1):
    """Each batch's sequences, padded (at the end, or at the front with
    padding="pre") to the batch's longest or to min_length, rounded up to
    a multiple of `multiple`, and their labels: in order, or in a random
    order drawn from `rng`. `batches` may also be a function of `rng` that
    cuts them anew at every pass."""
    if callable(batches):
        batches = batches(rng)
    order = range(len(batches)) if rng is None else rng.permutation(len(batches))
    for b in order:
        rows = batches[b]
        width = max(min_length, max(len(ids[j]) for j in rows))
        width = -(-width // multiple) * multiple  # rounded up
        words = keras.utils.pad_sequences([ids[j] for j in rows], maxlen=width, padding=padding)
        yield words, labels[rows]


# saved from chapter 12, where it is taught
def as_dataset(ids, labels, batches, rng=None, padding="post", min_length=0, multiple=1):
    """A tf.data.Dataset of the padded batches: a new pass, and so a new
    order, at every epoch."""
    signature = (
        tf.TensorSpec(shape=(None, None), dtype=tf.int32),  # batch, words
        tf.TensorSpec(shape=(None,), dtype=tf.int64),
    )
    dataset = tf.data.Dataset.from_generator(
        lambda: padded_batches(ids, labels, batches, rng, padding, min_length, multiple),
        output_signature=signature,
    )
    n_batches = len(batches(None) if callable(batches) else batches)  # None: in order
    return dataset.apply(tf.data.experimental.assert_cardinality(n_batches))


# saved from chapter 03, where it is taught
def training_batches(x, y, batch_size, distort=None):
    """Batches of (x, y) in a new order every epoch; with `distort` (a
    layers.Pipeline), every image distorted afresh each time it is drawn."""
    batches = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x)).batch(batch_size)
    if distort is not None:
        # One batch at a time: the distortions then draw their random numbers in the same order
        # on every run (mapped in parallel, which batch gets which draw depends on thread timing).
        batches = batches.map(lambda images, labels: (distort(images, training=True), labels))
    return batches.prefetch(tf.data.AUTOTUNE)
