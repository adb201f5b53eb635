"""Text preparation several chapters share."""

from __future__ import annotations

import keras
import numpy as np


def clean_reviews(texts):
    """IMDB reviews with their HTML line breaks (``<br />``) turned into spaces."""
    return [text.replace("<br />", " ") for text in texts]


def word_indices(texts, vectorize, batch_size=1_000):
    """Each text's word indices at its own length: a list of 1-D NumPy arrays, one per text.

    ``vectorize`` is an adapted ``keras.layers.TextVectorization`` with integer output and no
    ``output_sequence_length``. It pads a batch of texts at the end with 0, the index that no word
    has, up to the batch's longest text; the padding is cut off here. This gives what
    ``ragged=True`` gives, which only the TensorFlow backend has, on every backend (the layer
    itself runs on TensorFlow). Texts go through in batches of ``batch_size`` so that the padded
    array stays small whatever the longest text.
    """
    if isinstance(texts, str):
        raise TypeError(
            "word_indices expects a list of texts, not one string: pass [text] for a single text."
        )
    config = vectorize.get_config()
    if (
        config.get("output_mode") != "int"
        or config.get("output_sequence_length") is not None
        or config.get("ragged")
    ):
        raise ValueError(
            "word_indices needs a TextVectorization layer with output_mode='int', "
            "output_sequence_length=None and ragged=False (got output_mode="
            f"{config.get('output_mode')!r}, output_sequence_length="
            f"{config.get('output_sequence_length')!r}, ragged={config.get('ragged')!r})."
        )
    texts = list(texts)
    indices = []
    for start in range(0, len(texts), batch_size):
        padded = keras.ops.convert_to_numpy(vectorize(texts[start : start + batch_size]))
        indices.extend(np.trim_zeros(row, "b") for row in padded)
    return indices


# saved from chapter 11, where it is taught
def to_sequences(texts, vectorize, length):
    """Each review's last `length` word indices, pre-padded."""
    ids = word_indices(texts, vectorize)  # one array per review
    return keras.utils.pad_sequences(ids, maxlen=length, padding="pre", truncating="pre")


# saved from chapter 23, where it is taught
def to_ids(vectorize, sentences):
    """One int32 array of word indices per sentence, of its own length."""
    return [ids.astype("int32") for ids in word_indices(sentences, vectorize)]
