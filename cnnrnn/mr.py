"""Chapter 23's MR pipeline: its folds, Kim's text cleaning, the vocabulary and the batches.

Chapter 23 (same task, both families) scores four models on the 10,662 MR sentences of Pang and
Lee by stratified 10-fold cross-validation: a validation slice cut from each fold's training
part, a vocabulary fitted on each fold's training sentences with Kim's cleaning, and batches of
sentences of similar length. Every function here is written out in that chapter and checked
equal to its copy by ``tests/test_taught_once.py``; so are the constants named in
``CONSTANTS_FROM``. Chapter 26 trains a Transformer on the same folds and batches.
"""

from __future__ import annotations

from functools import partial

import tensorflow as tf  # tf.strings: Kim's text cleaning
from keras import layers
from sklearn.model_selection import train_test_split

from cnnrnn import batching
from cnnrnn.config import quick_or_full
from cnnrnn.training import keras_uses_xla

# Chapter 23's assignments of these names are checked equal to the ones below.
CONSTANTS_FROM = (
    "23_same_task",
    (
        "N_FOLDS",
        "FOLDS_RUN",
        "N_TRAIN",
        "VALIDATION_SHARE",
        "UNKNOWN",
        "BATCH_SIZE",
        "MIN_WORDS",
        "WIDTH_MULTIPLE",
    ),
)

N_FOLDS = 10
FOLDS_RUN = quick_or_full(1, N_FOLDS)
N_TRAIN = quick_or_full(4_000, None)  # quick: a subset of the training part
VALIDATION_SHARE = 0.1
UNKNOWN = 1  # the index of [UNK]
BATCH_SIZE = 50
MIN_WORDS = 5  # the widest convolution filter
# XLA (JAX, and TensorFlow on a GPU) compiles the training step anew for every
# new shape of batch: there, widths are rounded up to a multiple of 8 words.
WIDTH_MULTIPLE = 8 if keras_uses_xla() else 1


# saved from chapter 23
def split_fold(train, test, labels, k):
    """Indices (fit, validation, test) of fold k, from its training and
    test parts. The validation slice is cut from the training part; the
    test fold is left alone."""
    if N_TRAIN is not None:  # quick mode: fewer training sentences
        train, _ = train_test_split(train, train_size=N_TRAIN, stratify=labels[train], random_state=k)
    fit, valid = train_test_split(
        train,
        test_size=VALIDATION_SHARE,
        stratify=labels[train],
        random_state=k,
    )
    return fit, valid, test


# saved from chapter 23
def clean_like_kim(text):
    """Kim's clean_str, in TensorFlow string operations (a tensor of
    sentences in, the cleaned sentences out)."""
    text = tf.strings.lower(text)
    text = tf.strings.regex_replace(text, r"[^a-z0-9(),!?'`]", " ")
    text = tf.strings.regex_replace(text, r"('s|'ve|n't|'re|'d|'ll)", r" \1")
    return tf.strings.regex_replace(text, r"([(),!?])", r" \1 ")


# saved from chapter 23
def fit_vectorizer(sentences):
    """A TextVectorization whose vocabulary is every token of `sentences`."""
    vectorize = layers.TextVectorization(standardize=clean_like_kim, split="whitespace")
    vectorize.adapt(list(sentences))
    assert vectorize.get_vocabulary()[UNKNOWN] == "[UNK]"
    return vectorize


# saved from chapter 23
def sentence_batches(ids, labels, rng=None):
    """A dataset of batches of sentences of similar length, padded at the
    end to their longest and to at least MIN_WORDS, rounded up to a multiple
    of WIDTH_MULTIPLE. With `rng`, the batches are cut anew (ties at
    random) and reordered at every epoch."""
    cut = partial(batching.batches_by_length, ids, BATCH_SIZE)
    return batching.as_dataset(
        ids,
        labels,
        cut,
        rng,
        padding="post",
        min_length=MIN_WORDS,
        multiple=WIDTH_MULTIPLE,
    )
