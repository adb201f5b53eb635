"""cnnrnn.ctc: the collapsing rule, the CTC loss for padded labels, greedy decoding, scores (chapter 17)."""

import itertools

import keras
import numpy as np
import pytest

from cnnrnn.ctc import CTCLoss, collapse, ctc_loss, edit_distance, frames_needed, greedy_read, score_strings

BLANK, PAD = 3, -1  # three symbols 0, 1, 2 and the blank, as a small alphabet


def test_collapse_merges_runs_then_drops_blanks():
    assert collapse([BLANK, 1, 1, BLANK, 1, 2, 2, BLANK], BLANK) == [1, 1, 2]
    assert collapse([0, 0, 0], BLANK) == [0]
    assert collapse([BLANK, BLANK], BLANK) == []
    assert collapse(np.array([2, BLANK, 2]), BLANK) == [2, 2]


def test_frames_needed_counts_a_blank_between_equal_neighbours():
    assert frames_needed([]) == 0
    assert frames_needed([1, 2, 0]) == 3
    assert frames_needed([1, 1, 1]) == 5
    assert frames_needed(np.array([2, 2, 0, 0])) == 6


def _paths_loss(logits, label):
    """-log of the summed probability of every path that collapses to `label` (brute force)."""
    p = np.exp(logits) / np.exp(logits).sum(axis=-1, keepdims=True)
    frames, symbols = logits.shape
    total = sum(np.prod(p[np.arange(frames), path])
                for path in itertools.product(range(symbols), repeat=frames)
                if collapse(path, BLANK) == list(label))
    return -np.log(total)


def test_ctc_loss_is_the_sum_over_paths_and_ignores_the_padding():
    logits = np.random.default_rng(0).normal(size=(2, 5, 4)).astype("float32")
    labels = np.array([[1, 2, PAD], [0, 0, 1]])
    losses = keras.ops.convert_to_numpy(CTCLoss(BLANK, PAD, reduction=None)(labels, logits))
    expected = [_paths_loss(logits[0], [1, 2]), _paths_loss(logits[1], [0, 0, 1])]
    np.testing.assert_allclose(losses, expected, rtol=1e-5)
    # Another padding value is read as a symbol: on TensorFlow the first label's -1 is then an
    # error; elsewhere it changes the first loss.
    if keras.backend.backend() == "tensorflow":
        with pytest.raises(Exception, match="labels must be nonnegative"):
            CTCLoss(BLANK, 0, reduction=None)(labels, logits)
    else:
        other = keras.ops.convert_to_numpy(CTCLoss(BLANK, 0, reduction=None)(labels, logits))
        assert not np.isclose(other[0], losses[0])


@pytest.mark.parametrize("blank", [0, 2, 4])
def test_ctc_loss_gives_keras_losses_and_gradients(blank):
    # Five symbols, the blank among them; labels of 0 to 4 symbols, padded with -1.
    rng = np.random.default_rng(blank)
    logits = rng.normal(size=(6, 9, 5)).astype("float32")
    lengths = np.array([0, 1, 2, 3, 4, 4], "int32")
    labels = np.full((6, 4), -1, "int32")
    for i, n in enumerate(lengths):
        labels[i, :n] = rng.choice([s for s in range(5) if s != blank], n)
    frames = np.array([9, 9, 8, 9, 7, 9], "int32")

    def loss_and_gradient(loss):
        if keras.backend.backend() != "tensorflow":
            return keras.ops.convert_to_numpy(loss(logits)), None
        import tensorflow as tf

        x = tf.constant(logits)
        with tf.GradientTape() as tape:
            tape.watch(x)
            values = loss(x)
            total = tf.reduce_sum(values)
        return values.numpy(), tape.gradient(total, x).numpy()

    ours = loss_and_gradient(lambda x: ctc_loss(labels, x, lengths, frames, blank))
    theirs = loss_and_gradient(
        lambda x: keras.ops.ctc_loss(labels, x, lengths, frames, mask_index=blank))
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-5)
    if ours[1] is not None:
        np.testing.assert_allclose(ours[1], theirs[1], atol=1e-5)
    as64 = logits.astype("float64")
    as64 = [keras.ops.convert_to_numpy(loss) for loss in (
        ctc_loss(labels, as64, lengths, frames, blank),
        keras.ops.ctc_loss(labels, as64, lengths, frames, mask_index=blank))]
    assert as64[0].dtype == as64[1].dtype
    np.testing.assert_allclose(as64[0], ours[0], rtol=1e-6)


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="TensorFlow's CTC kernel")
def test_ctc_loss_compiles_with_xla_where_keras_compiles_with_it(monkeypatch):
    # On a GPU, Keras compiles a model's training step with XLA, which has no CTC kernel: there
    # ctc_loss must be keras.ops.ctc_loss (same values), here TensorFlow's faster kernel.
    import tensorflow as tf

    from cnnrnn import ctc

    rng = np.random.default_rng(0)
    logits = tf.constant(rng.normal(size=(3, 8, 5)).astype("float32"))
    labels = np.array([[1, 2, -1], [3, 3, 4], [2, -1, -1]], "int32")
    lengths, frames = np.array([2, 3, 1], "int32"), np.full(3, 8, "int32")

    def compiled():
        return tf.function(jit_compile=True)(lambda x: ctc_loss(labels, x, lengths, frames, 0))

    expected = ctc_loss(labels, logits, lengths, frames, 0).numpy()
    with pytest.raises(tf.errors.InvalidArgumentError, match="CTCLoss"):
        compiled()(logits)  # the kernel, under XLA
    monkeypatch.setattr(ctc, "keras_uses_xla", lambda: True)  # as on a GPU
    np.testing.assert_allclose(compiled()(logits).numpy(), expected, rtol=1e-5)


class _Fixed:
    """A fake model whose predictions are the given logits."""

    def __init__(self, logits):
        self.logits = logits

    def predict(self, x, batch_size=None, verbose=0):
        return self.logits[: len(x)]


def test_greedy_read_collapses_the_most_probable_path():
    paths = np.array([[BLANK, 1, 1, BLANK, 1, 2], [0, BLANK, BLANK, BLANK, 0, 0]])
    logits = np.eye(4, dtype="float32")[paths] * 5.0  # each frame sure of its symbol
    read, returned = greedy_read(_Fixed(logits), np.zeros((2, 1)), BLANK)
    assert read == [[1, 1, 2], [0, 0]]
    assert read == [collapse(path, BLANK) for path in paths]
    np.testing.assert_array_equal(returned, logits)


@pytest.mark.parametrize("a, b, distance", [
    ("kitten", "sitting", 3), ("", "abc", 3), ("abc", "", 3), ("abc", "abc", 0),
    ([1, 2, 3], [1, 3], 1), ([1, 2], [2, 1], 2), ([1, 2, 3, 4, 5], [5, 4, 3, 2, 1], 4)])
def test_edit_distance(a, b, distance):
    assert edit_distance(a, b) == distance == edit_distance(b, a)


def test_score_strings_gives_exact_matches_and_the_character_error_rate():
    exact, cer = score_strings([[1, 2], [3], []], [[1, 2], [3, 3], [4]])
    np.testing.assert_array_equal(exact, [True, False, False])
    assert cer == pytest.approx(2 / 5)  # one deletion and one insertion over five digits
    with pytest.raises(ValueError):  # one reading per true string
        score_strings([[1]], [[1], [2]])
