"""cnnrnn.batching: length-bucketed batches (chapter 12), the options chapter 23 adds, and chapter
03's shuffled, augmented image batches."""

from functools import partial

import keras
import numpy as np
import pytest

from cnnrnn.batching import as_dataset, batches_by_length, padded_batches, training_batches

# Seven sequences of lengths 3, 1, 4, 1, 5, 2, 6; word index = the sequence's number + 1.
LENGTHS = [3, 1, 4, 1, 5, 2, 6]
IDS = [np.full(n, i + 1, "int32") for i, n in enumerate(LENGTHS)]
LABELS = np.arange(len(IDS), dtype="int64")


def test_batches_by_length_groups_similar_lengths_and_keeps_ties_in_order():
    batches = batches_by_length(IDS, 3)
    assert [list(b) for b in batches] == [[1, 3, 5], [0, 2, 4], [6]]  # lengths 1 1 2 | 3 4 5 | 6
    assert sorted(np.concatenate(batches)) == list(range(len(IDS)))  # every sequence once


def test_padded_batches_pad_at_the_end_to_each_batchs_longest():
    batches = batches_by_length(IDS, 3)
    words, labels = next(padded_batches(IDS, LABELS, batches))  # no rng: in order
    np.testing.assert_array_equal(words, [[2, 0], [4, 0], [6, 6]])
    np.testing.assert_array_equal(labels, [1, 3, 5])
    widths = [w.shape[1] for w, _ in padded_batches(IDS, LABELS, batches)]
    assert widths == [2, 5, 6]


def test_each_pass_draws_a_new_order_from_the_generator():
    batches = batches_by_length(IDS, 1)  # seven batches of one
    rng = np.random.default_rng(0)
    first = [int(y[0]) for _, y in padded_batches(IDS, LABELS, batches, rng)]
    second = [int(y[0]) for _, y in padded_batches(IDS, LABELS, batches, rng)]
    assert sorted(first) == sorted(second) == list(range(7))
    assert first != second
    # The same seed gives the same sequence of orders.
    again = np.random.default_rng(0)
    assert [int(y[0]) for _, y in padded_batches(IDS, LABELS, batches, again)] == first


def test_as_dataset_reshuffles_at_every_epoch_and_knows_its_length():
    batches = batches_by_length(IDS, 2)
    dataset = as_dataset(IDS, LABELS, batches, rng=np.random.default_rng(1))
    assert int(dataset.cardinality()) == len(batches) == 4
    epochs = [[tuple(y.numpy()) for _, y in dataset] for _ in range(3)]
    assert all(sorted(e) == sorted(epochs[0]) for e in epochs)
    assert len({tuple(e) for e in epochs}) > 1  # not the same order every epoch
    rng = np.random.default_rng(1)  # the same orders as the generator gives directly
    direct = [[tuple(y) for _, y in padded_batches(IDS, LABELS, batches, rng)] for _ in range(3)]
    assert epochs == direct
    in_order = [(w.numpy(), y.numpy()) for w, y in as_dataset(IDS, LABELS, batches)]
    assert [w.shape for w, _ in in_order] == [(2, 1), (2, 3), (2, 5), (1, 6)]
    assert all(w.dtype == np.int32 for w, _ in in_order)


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="Keras' TensorFlow RNN code")
def test_the_default_padding_is_the_one_cudnn_takes_with_a_mask():
    # Chapter 12's reason for padding at the end: on a GPU, Keras' LSTM and GRU on TensorFlow run
    # cuDNN, and stop with an error on a mask that is not padding at the end (read with Keras'
    # own test, so that this fails if Keras changes it).
    import importlib

    import tensorflow as tf

    keras_rnn = importlib.import_module("keras.src.backend.tensorflow.rnn")

    def cudnn_takes(words):
        return bool(keras_rnn._is_sequence_right_padded(tf.constant(words != 0)))

    batches = batches_by_length(IDS, 3)
    assert all(cudnn_takes(w) for w, _ in padded_batches(IDS, LABELS, batches))
    assert not cudnn_takes(next(padded_batches(IDS, LABELS, batches, padding="pre"))[0])


# Chapter 23's options: ties broken at random, batches cut anew at every pass, padding to at
# least a minimum width. The defaults above are chapter 12's.
SAME_LENGTHS = [np.full(2, i + 1, "int32") for i in range(6)] + [np.full(3, 7, "int32")]


def test_ties_between_equal_lengths_are_broken_at_random_and_reproducibly():
    cuts = [[tuple(b) for b in batches_by_length(SAME_LENGTHS, 2, np.random.default_rng(s))]
            for s in range(5)]
    assert all(cut[-1] == (6,) for cut in cuts)  # the one longer sequence stays last
    assert all(sorted(np.concatenate(cut)) == list(range(7)) for cut in cuts)
    assert len(set(map(tuple, cuts))) > 1  # ties fall differently with different seeds
    again = batches_by_length(SAME_LENGTHS, 2, np.random.default_rng(3))
    assert [tuple(b) for b in again] == cuts[3]
    # Ties only: sequences of different lengths keep their length order, as without rng.
    random_ties = batches_by_length(IDS, 3, np.random.default_rng(0))
    lengths = [[LENGTHS[j] for j in b] for b in random_ties]
    assert [sorted(x) for x in lengths] == [[1, 1, 2], [3, 4, 5], [6]]


def test_padding_at_the_end_to_at_least_a_minimum_width():
    batches = batches_by_length(IDS, 3)
    passes = list(padded_batches(IDS, LABELS, batches, padding="post", min_length=4))
    np.testing.assert_array_equal(passes[0][0], [[2, 0, 0, 0], [4, 0, 0, 0], [6, 6, 0, 0]])
    assert [w.shape[1] for w, _ in passes] == [4, 5, 6]  # the batch's longest, at least 4
    front = next(padded_batches(IDS, LABELS, batches, padding="pre", min_length=3))[0]
    np.testing.assert_array_equal(front, [[0, 0, 2], [0, 0, 4], [0, 6, 6]])


def test_batches_given_as_a_function_are_cut_anew_at_every_pass():
    cut = partial(batches_by_length, SAME_LENGTHS, 2)
    rng = np.random.default_rng(0)
    passes = [[tuple(y) for _, y in padded_batches(SAME_LENGTHS, LABELS, cut, rng)]
              for _ in range(4)]
    assert len({frozenset(p) for p in passes}) > 1  # not only a new order: new batches
    # Each pass draws the tie-breakers first, then the order of the batches.
    rng, expected = np.random.default_rng(0), []
    for _ in range(4):
        batches = batches_by_length(SAME_LENGTHS, 2, rng)
        expected.append([tuple(LABELS[batches[b]]) for b in rng.permutation(len(batches))])
    assert passes == expected
    # Without rng the function is called with None: the batches of the stable sort, in order.
    in_order = [tuple(y) for _, y in padded_batches(SAME_LENGTHS, LABELS, cut)]
    assert in_order == [(0, 1), (2, 3), (4, 5), (6,)]


def _chapter_18s_own_batches(ids, y, shuffle, seed, batch_size, min_words):
    """Chapter 23's batching before it called cnnrnn.batching (its `as_batches`), kept here to
    show that the package makes the same batches from the same random draws."""
    rng = np.random.default_rng(seed)
    lengths = np.array([len(sentence) for sentence in ids])

    def batch_rows(rng=None):
        tiebreak = rng.random(len(lengths)) if rng is not None else None
        order = np.lexsort((tiebreak, lengths) if rng is not None else (lengths,))
        return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]

    def generate():
        batches = batch_rows(rng if shuffle else None)
        for b in rng.permutation(len(batches)) if shuffle else range(len(batches)):
            rows = batches[b]
            width = max(min_words, lengths[rows].max())
            yield keras.utils.pad_sequences([ids[j] for j in rows], maxlen=width,
                                            padding="post"), y[rows]
    return generate


def test_the_options_make_exactly_chapter_18s_former_batches():
    rng = np.random.default_rng(7)
    ids = [rng.integers(1, 50, size=n).astype("int32") for n in rng.integers(1, 12, size=203)]
    y = rng.integers(0, 2, size=len(ids)).astype("int64")
    for shuffle in (True, False):
        old = _chapter_18s_own_batches(ids, y, shuffle, seed=3, batch_size=50, min_words=5)
        new = as_dataset(ids, y, partial(batches_by_length, ids, 50),
                         np.random.default_rng(3) if shuffle else None, padding="post", min_length=5)
        assert int(new.cardinality()) == 5
        for _ in range(3):  # three epochs: the same batches, in the same order
            for (w_old, y_old), (w_new, y_new) in zip(old(), new, strict=True):
                np.testing.assert_array_equal(w_new.numpy(), w_old)
                np.testing.assert_array_equal(y_new.numpy(), y_old)


def test_training_batches_reshuffle_every_epoch_and_distort_only_when_asked():
    x = np.arange(10 * 4 * 4, dtype="float32").reshape(10, 4, 4, 1)
    y = np.arange(10)
    plain = training_batches(x, y, 4)
    assert int(plain.cardinality()) == 3  # 4 + 4 + 2
    first, second = ([int(t) for _, labels in plain for t in labels] for _ in range(2))
    assert sorted(first) == sorted(second) == list(range(10))  # every image once an epoch
    assert first != second  # a new order (the same one twice: 1 chance in 3,628,800)
    for images, labels in plain:  # no distortion: each image is its own
        np.testing.assert_array_equal(images.numpy(), x[labels.numpy()])
    shift = keras.layers.Pipeline([keras.layers.RandomTranslation(0.5, 0.5, fill_mode="constant")])
    distorted = training_batches(x, y, 10, distort=shift)
    (images, labels), = distorted
    assert images.shape == (10, 4, 4, 1)
    assert not np.array_equal(images.numpy(), x[labels.numpy()])
