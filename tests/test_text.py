"""cnnrnn.text: IMDB's line breaks, and word indices at each text's own length on any backend."""

import keras
import numpy as np
import pytest

from cnnrnn.text import clean_reviews, to_ids, to_sequences, word_indices

TEXTS = ["the film was good", "bad", "a good good film, the end", "unseen words only here"]


def adapted(**options):
    vectorize = keras.layers.TextVectorization(max_tokens=8, **options)
    vectorize.adapt(TEXTS[:3])
    return vectorize


def test_clean_reviews_turns_line_breaks_into_spaces():
    assert clean_reviews(["one<br />two", "three"]) == ["one two", "three"]


def test_word_indices_gives_each_text_at_its_own_length_in_any_batch_size():
    vectorize = adapted()
    for batch_size in (1, 3, 100):
        ids = word_indices(TEXTS, vectorize, batch_size=batch_size)
        assert [len(i) for i in ids] == [4, 1, 6, 4]
        assert (ids[3] == 1).all()  # out-of-vocabulary words are 1, never the padding 0
        assert all((i > 0).all() for i in ids)


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="ragged=True needs TensorFlow")
def test_word_indices_equal_what_ragged_true_gives_on_tensorflow():
    ragged = adapted(ragged=True)
    ragged.set_vocabulary(adapted().get_vocabulary())
    expected = ragged(TEXTS).numpy()
    for ours, theirs in zip(word_indices(TEXTS, adapted()), expected, strict=True):
        np.testing.assert_array_equal(ours, theirs)


def test_word_indices_refuses_a_layer_that_pads_to_a_fixed_length_and_a_lone_string():
    with pytest.raises(ValueError, match="output_sequence_length=None"):
        word_indices(TEXTS, adapted(output_sequence_length=3))
    with pytest.raises(TypeError, match=r"pass \[text\]"):
        word_indices("one text", adapted())


def test_to_sequences_keeps_each_texts_last_words_and_pads_in_front():
    vectorize = keras.layers.TextVectorization()
    vectorize.adapt(["a b c d e", "f"])
    sequences = to_sequences(["a b c d e", "f"], vectorize, 3)
    ids = keras.ops.convert_to_numpy(vectorize(["a b c d e", "f"]))
    assert sequences.shape == (2, 3)
    assert list(sequences[0]) == list(ids[0][2:5])
    assert list(sequences[1][:2]) == [0, 0] and sequences[1][2] == ids[1][0]


def test_to_ids_gives_int32_arrays_of_each_sentences_own_length():
    vectorize = keras.layers.TextVectorization()  # any backend: no ragged output
    vectorize.adapt(["a b c", "d"])
    ids = to_ids(vectorize, ["a b c", "d"])
    assert [len(i) for i in ids] == [3, 1] and all(i.dtype == np.int32 for i in ids)
