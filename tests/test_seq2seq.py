"""cnnrnn.seq2seq: teacher forcing's shifted inputs and compile, greedy decoding (chapter 13)."""

import keras
import numpy as np
import pytest

from cnnrnn.seq2seq import compile_for_teacher_forcing, greedy_decode, shift_right, until_end

PAD, START, END = 0, 1, 2


def test_shift_right_puts_the_start_token_first_and_drops_the_last():
    target = np.array([[5, 6, END, PAD], [7, END, PAD, PAD]], "int32")
    shifted = shift_right(target, START)
    np.testing.assert_array_equal(shifted, [[START, 5, 6, END], [START, 7, END, PAD]])
    assert shifted.dtype == np.int32


def test_until_end_cuts_each_row_at_its_first_end_token():
    tokens = np.array([[5, END, 6, END], [5, 6, 7, 8], [END, 5, 5, 5]])
    assert [list(row) for row in until_end(tokens, END)] == [[5], [5, 6, 7, 8], []]


def test_compile_for_teacher_forcing_ignores_padding_and_decays_the_learning_rate():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="softmax")])
    compile_for_teacher_forcing(model, 5e-3, decay_steps=10, pad=PAD)
    schedule = model.optimizer._learning_rate  # the schedule itself, not its current value
    assert float(schedule(0)) == pytest.approx(5e-3)
    assert float(schedule(10)) == pytest.approx(0.02 * 5e-3)
    probabilities = np.full((3, 4), 0.25, "float32")
    # Padding targets do not count: the loss is that of the one real target.
    loss = float(model.loss(np.array([PAD, 3, PAD]), probabilities))
    assert loss == pytest.approx(np.log(4), rel=1e-5)
    assert float(model.loss(np.array([PAD, PAD, PAD]), probabilities)) == pytest.approx(0.0)


class _Echo:
    """A fake pair of inference models: the encoder passes its input through as the state h,
    and the decoder step predicts ``previous + h`` (mod 5) and keeps the state."""

    def predict(self, x, batch_size=None, verbose=0):
        h = np.asarray(x, "float32")[:, :1]
        return h, np.zeros_like(h)

    def predict_on_batch(self, inputs):
        previous, h, c = inputs
        token = (previous[:, 0] + h[:, 0].astype(int)) % 5
        probabilities = np.eye(5)[token][:, None, :]  # (batch, 1 step, 5 tokens)
        return probabilities, h, c


def test_greedy_decode_feeds_each_prediction_back_in():
    encoder_input = np.array([[1], [2]])
    tokens = greedy_decode(_Echo(), _Echo(), encoder_input, START, max_steps=4)
    # Row 0 adds 1 at each step from START = 1; row 1 adds 2 (mod 5).
    np.testing.assert_array_equal(tokens, [[2, 3, 4, 0], [3, 0, 2, 4]])
    assert tokens.shape == (2, 4) and tokens.dtype == np.int32


def test_greedy_decode_agrees_with_a_keras_decoder_step():
    keras.utils.set_random_seed(0)
    units, vocabulary = 4, 6
    source = keras.Input((None,), dtype="int32")
    _, h, c = keras.layers.LSTM(units, return_state=True)(keras.layers.Embedding(7, 3)(source))
    embed, lstm = keras.layers.Embedding(vocabulary, 3), keras.layers.LSTM(
        units, return_sequences=True, return_state=True)
    head = keras.layers.Dense(vocabulary, activation="softmax")
    decoder_in = keras.Input((None,), dtype="int32")
    outputs, _, _ = lstm(embed(decoder_in), initial_state=[h, c])
    training = keras.Model([source, decoder_in], head(outputs))
    previous, h_in, c_in = (keras.Input((1,), dtype="int32"), keras.Input((units,)),
                            keras.Input((units,)))
    step, h_out, c_out = lstm(embed(previous), initial_state=[h_in, c_in])
    decoder_model = keras.Model([previous, h_in, c_in], [head(step), h_out, c_out])
    encoder_model = keras.Model(source, [h, c])
    x = np.random.default_rng(0).integers(1, 7, (8, 5))
    tokens = greedy_decode(encoder_model, decoder_model, x, START, max_steps=6)
    # Teacher forcing on the loop's own output reproduces the loop's choices.
    replay = training.predict([x, shift_right(tokens, START)], verbose=0).argmax(axis=-1)
    np.testing.assert_array_equal(replay, tokens)
