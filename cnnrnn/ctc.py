"""Connectionist temporal classification (CTC): the collapsing rule, a Keras loss for padded
labels, greedy decoding, and the edit distance and error rates that score what was read.

Taught in chapter 17 (CRNN: reading strings of digits), where each function is written out and
checked equal to this copy by ``tests/test_taught_once.py``; later chapters call them from here.
Symbols are integers; the caller names the blank's index (``blank``, Keras' ``mask_index``) and
the value that pads labels (``pad``). A model's output is logits ``(batch, frames, symbols)``,
every frame valid.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from cnnrnn.training import keras_uses_xla


# saved from chapter 17, where it is taught
def collapse(path, blank):
    """The string a CTC path stands for: merge runs, then drop blanks."""
    path = np.asarray(path)
    merged = [s for t, s in enumerate(path) if t == 0 or s != path[t - 1]]
    return [int(s) for s in merged if s != blank]


# saved from chapter 17, where it is taught
def frames_needed(label):
    """Fewest frames that can spell `label`: one per character, plus one
    blank between each pair of equal neighbours."""
    repeats = sum(a == b for a, b in zip(label, label[1:], strict=False))
    return len(label) + repeats


# saved from chapter 17, where it is taught
class CTCLoss(keras.losses.Loss):
    """CTC loss of logits (batch, frames, symbols), every frame valid, for
    labels (batch, length) padded with `pad`; `blank` is the blank's index."""

    def __init__(self, blank, pad, **kwargs):
        super().__init__(**kwargs)
        self.blank, self.pad = blank, pad

    def call(self, y_true, y_pred):
        # Keras hands targets over as floats
        labels = ops.cast(y_true, "int32")
        label_lengths = ops.sum(ops.cast(labels != self.pad, "int32"), axis=1)
        batch, frames = ops.shape(y_pred)[0], ops.shape(y_pred)[1]
        frame_counts = ops.full((batch,), frames, dtype="int32")  # all valid
        return ctc_loss(labels, y_pred, label_lengths, frame_counts, self.blank)


def ctc_loss(labels, logits, label_lengths, frame_counts, blank):
    """``keras.ops.ctc_loss(labels, logits, label_lengths, frame_counts, mask_index=blank)``,
    the same losses and gradients, faster on TensorFlow.

    On TensorFlow, ``keras.ops.ctc_loss`` passes dense labels to ``tf.nn.ctc_loss``, which then
    runs a version of CTC written in TensorFlow operations: several small operations for every
    frame, which on a CPU cost about as much as the rest of chapter 17's training step. Given
    the same labels as a ``tf.SparseTensor`` (the first ``label_lengths`` entries of each row),
    ``tf.nn.ctc_loss`` runs TensorFlow's C++ kernel instead (a loss and its gradient about ten
    times faster for chapter 17's batches). XLA cannot compile that kernel, so where Keras
    compiles with XLA (TensorFlow on a GPU) and on other backends, this is ``keras.ops.ctc_loss``.
    """
    if keras.backend.backend() != "tensorflow" or keras_uses_xla():
        return ops.ctc_loss(labels, logits, label_lengths, frame_counts, mask_index=blank)
    import tensorflow as tf  # only on this backend

    labels = tf.cast(labels, "int32")
    label_lengths = tf.cast(label_lengths, "int32")
    frame_counts = tf.cast(frame_counts, "int32")
    logits = tf.convert_to_tensor(logits)
    # As Keras does: computed in float32, returned in float32 or float64.
    dtype = "float64" if logits.dtype == tf.float64 else "float32"
    logits = tf.cast(logits, "float32")
    # The kernel refuses an empty label. Such a row gets a label of one symbol, and then the
    # loss of its only path, every valid frame blank.
    empty = label_lengths == 0
    label_lengths = tf.where(empty, 1, label_lengths)
    labels = tf.where(empty[:, None], (blank + 1) % tf.shape(logits)[2], labels)
    where = tf.where(tf.sequence_mask(label_lengths, tf.shape(labels)[1]))
    sparse = tf.SparseTensor(where, tf.gather_nd(labels, where), tf.shape(labels, tf.int64))
    loss = tf.nn.ctc_loss(
        sparse, logits, None, frame_counts, logits_time_major=False, blank_index=blank
    )
    blanks = tf.nn.log_softmax(logits)[:, :, blank]
    valid = tf.sequence_mask(frame_counts, tf.shape(logits)[1])
    all_blank = -tf.reduce_sum(tf.where(valid, blanks, 0.0), axis=1)
    loss = tf.where(empty, all_blank, loss)
    return tf.cast(loss, dtype)


# saved from chapter 17, where it is taught
def greedy_read(model, x, blank):
    """Greedy CTC decoding: the symbols read in each input, as lists, and
    the model's logits."""
    logits = model.predict(x, batch_size=500, verbose=0)
    frame_counts = np.full(len(x), logits.shape[1])
    decoded, _ = ops.ctc_decode(logits, frame_counts, strategy="greedy", mask_index=blank)
    decoded = ops.convert_to_numpy(decoded[0])  # best path; -1 pads
    return [[int(d) for d in row if d >= 0] for row in decoded], logits


# saved from chapter 17, where it is taught
def edit_distance(a, b):
    """Fewest insertions, deletions and substitutions that turn a into b."""
    previous = list(range(len(b) + 1))  # distances from a[:0] to b[:j]
    for i, ai in enumerate(a, start=1):
        current = [i]
        for j, bj in enumerate(b, start=1):
            current.append(
                min(
                    previous[j] + 1,  # delete ai
                    current[j - 1] + 1,  # insert bj
                    previous[j - 1] + (ai != bj),  # substitute (or keep)
                )
            )
        previous = current
    return previous[-1]


# saved from chapter 17, where it is taught
def score_strings(predicted, truth):
    """Which strings were read exactly, and the character error rate:
    edits needed over the true characters, summed over all strings."""
    pairs = list(zip(predicted, truth, strict=True))
    exact = np.array([p == t for p, t in pairs])
    edits = sum(edit_distance(p, t) for p, t in pairs)
    return exact, edits / sum(len(t) for t in truth)
