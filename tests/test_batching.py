"""cnnrnn.batching: length-bucketed, front-padded batches in a new order each epoch (chapter 09)."""

import numpy as np

from cnnrnn.batching import as_dataset, batches_by_length, padded_batches

# Seven sequences of lengths 3, 1, 4, 1, 5, 2, 6; word index = the sequence's number + 1.
LENGTHS = [3, 1, 4, 1, 5, 2, 6]
IDS = [np.full(n, i + 1, "int32") for i, n in enumerate(LENGTHS)]
LABELS = np.arange(len(IDS), dtype="int64")


def test_batches_by_length_groups_similar_lengths_and_keeps_ties_in_order():
    batches = batches_by_length(IDS, 3)
    assert [list(b) for b in batches] == [[1, 3, 5], [0, 2, 4], [6]]  # lengths 1 1 2 | 3 4 5 | 6
    assert sorted(np.concatenate(batches)) == list(range(len(IDS)))  # every sequence once


def test_padded_batches_pad_at_the_front_to_each_batchs_longest():
    batches = batches_by_length(IDS, 3)
    words, labels = next(padded_batches(IDS, LABELS, batches))  # no rng: in order
    np.testing.assert_array_equal(words, [[0, 2], [0, 4], [6, 6]])
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
