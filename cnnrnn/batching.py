"""Length-bucketed batches: sequences of similar length batched together, each batch padded only
to its own longest sequence, the batches in a new random order at every epoch.

Taught in chapter 09 (bidirectional RNNs, the IMDB sentiment model), where each function is
written out and checked equal to this copy by ``tests/test_taught_once.py``. ``ids`` is a list of
1-D integer arrays (word indices; 0 is padding), ``labels`` an int64 array. ``as_dataset`` needs
TensorFlow (``tf.data``), which is imported only when this module is.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf


# saved from chapter 09, where it is taught
def batches_by_length(ids, batch_size):
    """Index arrays of batches of sequences of similar length."""
    order = np.argsort([len(sequence) for sequence in ids], kind="stable")
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


# saved from chapter 09, where it is taught
def padded_batches(ids, labels, batches, rng=None):
    """Each batch's sequences, padded at the front to the batch's longest,
    and their labels: in order, or in a random order drawn from `rng`."""
    order = range(len(batches)) if rng is None else rng.permutation(len(batches))
    for b in order:
        rows = batches[b]
        yield keras.utils.pad_sequences([ids[j] for j in rows]), labels[rows]


# saved from chapter 09, where it is taught
def as_dataset(ids, labels, batches, rng=None):
    """A tf.data.Dataset of the padded batches: a new pass, and so a new
    order, at every epoch."""
    signature = (
        tf.TensorSpec(shape=(None, None), dtype=tf.int32),  # batch, words
        tf.TensorSpec(shape=(None,), dtype=tf.int64),
    )
    dataset = tf.data.Dataset.from_generator(
        lambda: padded_batches(ids, labels, batches, rng), output_signature=signature)
    return dataset.apply(tf.data.experimental.assert_cardinality(len(batches)))
