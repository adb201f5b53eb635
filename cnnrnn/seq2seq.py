"""Training an encoder–decoder with teacher forcing, and decoding it greedily.

Taught in chapter 13 (sequence to sequence), where each function is written out and checked equal
to this copy by ``tests/test_taught_once.py``; later chapters call them from here. Tokens are
integers, and the caller names its start, end and padding tokens. The decoder's inference model
takes ``[previous token, h, c]`` and returns ``[probabilities, h, c]`` for one step (an LSTM's two
states), and the encoder's inference model returns the decoder's initial ``[h, c]``.
"""

from __future__ import annotations

import keras
import numpy as np


# saved from chapter 13, where it is taught
def shift_right(target, start):
    """Teacher forcing's decoder input: `start`, then the target without
    its last token."""
    first = np.full((len(target), 1), start, "int32")
    return np.concatenate([first, target[:, :-1]], axis=1)


# saved from chapter 13, where it is taught
def compile_for_teacher_forcing(model, learning_rate, decay_steps, pad):
    """Adam, the learning rate falling along a cosine to 2% of its start;
    the cross-entropy of every next token, padding steps left out."""
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps=decay_steps, alpha=0.02)
    model.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss=keras.losses.SparseCategoricalCrossentropy(ignore_class=pad),
    )


# saved from chapter 13, where it is taught
def greedy_decode(encoder_model, decoder_model, encoder_input, start, max_steps):
    """Token indices (batch, max_steps): at each step the most probable
    token, fed back in as the next step's input."""
    h, c = encoder_model.predict(encoder_input, batch_size=1024, verbose=0)
    previous = np.full((len(encoder_input), 1), start, "int32")
    tokens = []
    for _ in range(max_steps):
        probabilities, h, c = decoder_model.predict_on_batch([previous, h, c])
        previous = probabilities[:, -1].argmax(axis=-1).astype("int32")[:, None]
        tokens.append(previous[:, 0])
    return np.stack(tokens, axis=1)


# saved from chapter 13, where it is taught
def until_end(tokens, end):
    """Each row of `tokens` up to (not including) its first `end`."""
    rows = []
    for row in tokens:
        n = np.argmax(row == end) if (row == end).any() else len(row)
        rows.append(row[:n])
    return rows
