"""cnnrnn.mr: chapter 23's MR folds, Kim's cleaning, vocabulary and batches (saved for chapter 26)."""

import numpy as np
import pytest

from cnnrnn import mr
from cnnrnn.text import to_ids


@pytest.mark.parametrize("n_train", [None, 200])
def test_split_fold_cuts_the_validation_slice_from_the_training_part(monkeypatch, n_train):
    monkeypatch.setattr(mr, "N_TRAIN", n_train)
    labels = np.tile([0, 1], 300)
    train, test = np.arange(500), np.arange(500, 600)
    fit, valid, kept_test = mr.split_fold(train, test, labels, 3)
    used = 500 if n_train is None else n_train
    assert len(valid) == round(mr.VALIDATION_SHARE * used) and len(fit) + len(valid) == used
    assert np.array_equal(kept_test, test)
    assert np.intersect1d(fit, valid).size == 0 and np.isin(np.union1d(fit, valid), train).all()
    assert labels[valid].mean() == 0.5  # stratified
    again = mr.split_fold(train, test, labels, 3)
    assert all(np.array_equal(a, b) for a, b in zip((fit, valid), again, strict=False))


def test_clean_like_kim_splits_clitics_and_sentiment_marks():
    cleaned = mr.clean_like_kim(np.array(["It isn't \"great\"-- or is it?!"])).numpy()[0].decode()
    assert cleaned.split() == ["it", "is", "n't", "great", "or", "is", "it", "?", "!"]


def test_fit_vectorizer_knows_every_training_token_and_reads_others_as_unknown():
    vectorize = mr.fit_vectorizer(["a good film", "a bad film , really"])
    vocabulary = vectorize.get_vocabulary()
    assert vocabulary[mr.UNKNOWN] == "[UNK]"
    assert {"a", "good", "bad", "film", ",", "really"} <= set(vocabulary)
    (ids,) = to_ids(vectorize, ["a dreadful film"])
    assert ids.tolist()[1] == mr.UNKNOWN and len(ids) == 3


def test_sentence_batches_pads_at_the_end_to_at_least_min_words():
    rng = np.random.default_rng(0)
    ids = [np.arange(1, n + 1, dtype="int32") for n in rng.integers(1, 12, 120)]
    labels = rng.integers(0, 2, 120)
    batches = list(mr.sentence_batches(ids, labels))
    assert len(batches) == int(np.ceil(120 / mr.BATCH_SIZE))
    assert sum(len(y) for _, y in batches) == 120
    for x, _ in batches:
        x = x.numpy()
        assert x.shape[1] >= mr.MIN_WORDS and x.shape[0] <= mr.BATCH_SIZE
        assert (x[:, 0] == 1).all()  # padded at the end: every sentence starts at column 0
