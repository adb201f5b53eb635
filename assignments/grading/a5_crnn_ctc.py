"""Grading spec of a5_crnn_ctc: probes run in the sandbox, tests on plain values outside it.

Two rules are enforced:

* **Greedy decoding is the student's own.** While the probe calls ``greedy_decode``, Keras'
  ``ctc_decode`` (the op and each backend's implementation: their code is swapped, so a name
  imported earlier raises too) and TensorFlow's CTC decoders (and the ops under them) raise;
  the probe reports that they were called. (A reference to TensorFlow's raw op kept from
  before the call is not caught.)
* **The model is measured on handwriting the notebook never had**, as in a2: in the sandbox,
  scikit-learn's digits hold only the notebook's training split, and the grader makes its
  strings from the 450 digits it kept back.

The CRNN is rebuilt by the grader from its configuration and weights (Keras' own layers only)
and read with ``keras.ops.ctc_decode`` there.
"""

import numpy as np

from grading_tools import (
    Fail,
    Test,
    digits_held_out,
    digits_sandbox_files,
    digits_seen_by_the_sandbox,
    is_int,
    layer_kinds,
    rebuild,
    share,
    trained,
)

sandbox_files = digits_sandbox_files  # scikit-learn's digits, without the test split

N_SYMBOLS, BLANK, PAD = 11, 10, -1
HEIGHT, WIDTH, MAX_DIGITS, MAX_GAP = 8, 40, 4, 2
POOLING_CASES = [(37, [2, 2]), (40, [2, 1, 2]), (23, [3, 2]), (9, [2, 2, 2]), (41, [3])]
RECURRENT = {"Bidirectional", "GRU", "LSTM", "SimpleRNN", "RNN"}
HELD_OUT_STRINGS = 500


def _make_strings(images, labels, n, seed):
    """The notebook's make_strings (its set-up cell), to rebuild its strings and make new ones."""
    rng = np.random.default_rng(seed)
    x = np.zeros((n, HEIGHT, WIDTH, 1), "float32")
    y = np.full((n, MAX_DIGITS), PAD, "int32")
    for i, length in enumerate(rng.integers(1, MAX_DIGITS + 1, size=n)):
        chosen = rng.integers(0, len(images), size=length)
        crops = []
        for j in chosen:
            columns = np.flatnonzero(images[j].max(axis=0) > 0)
            crops.append(images[j][:, columns[0] : columns[-1] + 1])
        gaps = rng.integers(0, MAX_GAP + 1, size=length)
        used = sum(crop.shape[1] for crop in crops) + gaps[:-1].sum()
        left = rng.integers(0, WIDTH - used + 1)
        for k, (crop, j) in enumerate(zip(crops, chosen, strict=True)):
            x[i, :, left : left + crop.shape[1], 0] = crop / 16.0
            left += crop.shape[1] + gaps[k]
            y[i, k] = labels[j]
    return x, y


def _decode_cases():
    """The score matrices greedy_decode is tested on (as the probe makes them)."""
    rng = np.random.default_rng(5)
    cases = []
    for frames in (1, 2, 7, 12, 30):
        scores = rng.normal(size=(6, frames, N_SYMBOLS)).astype("float32")
        scores[..., BLANK] += 1.0
        cases += list(scores)
    return cases


def _keras_greedy(logits):
    """Keras' greedy CTC decoding of a batch: one list of digits per row."""
    import keras

    decoded, _ = keras.ops.ctc_decode(logits, np.full(len(logits), logits.shape[1]), strategy="greedy",
                                      mask_index=BLANK)
    return [[int(d) for d in row if d >= 0] for row in keras.ops.convert_to_numpy(decoded[0])]


def expected():
    import keras
    from sklearn.model_selection import train_test_split

    frames = []
    for width, pools in POOLING_CASES:
        model = keras.Sequential([keras.Input((HEIGHT, width, 1))])
        for pool in pools:
            model.add(keras.layers.Conv2D(2, 3, padding="same"))
            model.add(keras.layers.MaxPooling2D((1, pool)))
        frames.append(int(model.output_shape[2]))
    decoded = []
    for scores in _decode_cases():
        decoded += _keras_greedy(scores[None])
    images, target = digits_seen_by_the_sandbox()
    _, test_digits, _, test_labels = train_test_split(images, target, test_size=0.25, random_state=0,
                                                      stratify=target)
    sandbox_x, sandbox_y = _make_strings(test_digits, test_labels, 500, seed=2)
    held_out_x, held_out_y = _make_strings(*digits_held_out(), HELD_OUT_STRINGS, seed=77)
    return {"frames": frames, "decoded": decoded, "sandbox_x": sandbox_x, "sandbox_y": sandbox_y,
            "held_out_x": held_out_x, "held_out_y": held_out_y}


# ---- q1 -----------------------------------------------------------------------------------


def probe_q1(ns):
    import numpy as np

    rng = np.random.default_rng(3)
    labels = [[int(d) for d in rng.integers(0, 3, size=rng.integers(1, 9))] for _ in range(40)]
    pooling = [(37, [2, 2]), (40, [2, 1, 2]), (23, [3, 2]), (9, [2, 2, 2]), (41, [3])]
    return {
        "examples": lambda: (ns["frames_needed"]([3, 1, 4]), ns["frames_needed"]([1, 1]),
                             ns["frames_needed"]([5, 5, 5, 5]), ns["frames_after_pooling"](40, [2, 2])),
        "random": lambda: [ns["frames_needed"](list(label)) for label in labels],
        "pooling": lambda: [ns["frames_after_pooling"](width, list(pools)) for width, pools in pooling],
    }


def _ints(value, count, what):
    if not (isinstance(value, (list, tuple)) and len(value) == count):
        raise Fail(f"{what}: no value")
    if not all(is_int(v) for v in value):
        raise Fail(f"{what} must return ints")
    return list(value)


def _q1_examples(got, expected):
    value = _ints(got["examples"], 4, "frames_needed / frames_after_pooling")
    for (call, want), have in zip([("frames_needed([3, 1, 4])", 3), ("frames_needed([1, 1])", 3),
                                   ("frames_needed([5, 5, 5, 5])", 7),
                                   ("frames_after_pooling(40, [2, 2])", 10)], value, strict=True):
        if have != want:
            raise Fail(f"{call} gave {have}, expected {want}")


def _q1_random(got, expected):
    rng = np.random.default_rng(3)
    labels = [[int(d) for d in rng.integers(0, 3, size=rng.integers(1, 9))] for _ in range(40)]
    want = [len(label) + sum(a == b for a, b in zip(label, label[1:], strict=False)) for label in labels]
    assert _ints(got["random"], len(labels), "frames_needed") == want


def _q1_pooling(got, expected):
    assert _ints(got["pooling"], len(POOLING_CASES), "frames_after_pooling") == expected["frames"]


# ---- q2 -----------------------------------------------------------------------------------


def probe_q2(ns):
    import sys

    import numpy as np

    def refuse(*args, **kwargs):
        # Runs as Keras' or TensorFlow's own function (its code swapped): imports what it needs.
        import sys

        sys.cnnrnn_ctc_decoder_called = True
        raise RuntimeError("CTC decoders are switched off here: write greedy decoding yourself")

    def without_decoders(call):
        """call(), with every CTC decoder of Keras and TensorFlow raising; returns (a decoder
        was called, what call returned)."""
        swapped, replaced = [], []
        for name in ("keras.src.ops.nn", "keras.src.backend.tensorflow.nn", "keras.src.backend.jax.nn",
                     "keras.src.backend.torch.nn", "keras.src.backend.numpy.nn"):
            function = getattr(sys.modules.get(name), "ctc_decode", None)
            if callable(function) and hasattr(function, "__code__") and not function.__code__.co_freevars:
                swapped.append((function, function.__code__))
                function.__code__ = refuse.__code__
        tf = sys.modules.get("tensorflow")
        modules = [sys.modules.get("tensorflow.python.ops.gen_ctc_ops"),
                   sys.modules.get("tensorflow.python.ops.ctc_ops")]
        if tf is not None:
            modules += [getattr(tf, "nn", None), getattr(getattr(tf, "compat", None), "v1", None),
                        getattr(tf, "raw_ops", None)]
            modules.append(getattr(getattr(getattr(tf, "compat", None), "v1", None), "nn", None))
        for module in modules:
            for name in ("ctc_greedy_decoder", "ctc_beam_search_decoder", "ctc_beam_search_decoder_v2",
                         "CTCGreedyDecoder", "CTCBeamSearchDecoder"):
                if module is not None and hasattr(module, name):
                    replaced.append((module, name, getattr(module, name)))
                    setattr(module, name, refuse)
        sys.cnnrnn_ctc_decoder_called = False
        try:
            result = call()
        except BaseException:  # noqa: BLE001 (its own error, or the switched-off decoder's)
            result = None
        finally:
            for function, code in swapped:
                function.__code__ = code
            for module, name, original in replaced:
                setattr(module, name, original)
        return bool(sys.cnnrnn_ctc_decoder_called), result

    path = [10, 10, 3, 3, 10, 1, 10, 1, 1, 1]
    rng = np.random.default_rng(5)
    cases = []
    for frames in (1, 2, 7, 12, 30):
        scores = rng.normal(size=(6, frames, 11)).astype("float32")
        scores[..., 10] += 1.0
        cases += list(scores)

    def decode(cases):
        return [list(ns["greedy_decode"](scores.copy())) for scores in cases]

    return {
        "example": lambda: without_decoders(lambda: decode([np.eye(11)[path], np.eye(11)[[10, 10, 10]]])),
        "random": lambda: without_decoders(lambda: decode(cases)),
    }


def _decoded(got, case, count):
    used, value = got[case]
    if used:
        raise Fail("greedy_decode called a CTC decoder of Keras or TensorFlow: write it yourself")
    if not (isinstance(value, list) and len(value) == count):
        raise Fail("greedy_decode raised an error or returned no value")
    for digits in value:
        if not (isinstance(digits, list) and all(is_int(d) for d in digits)):
            raise Fail("greedy_decode must return a list of ints")
    return value


def _q2_example(got, expected):
    example, blank = _decoded(got, "example", 2)
    if example != [3, 1, 1]:
        raise Fail(f"the path --33-1-111 was read as {example}, expected [3, 1, 1]")
    if blank != []:
        raise Fail(f"three blank frames were read as {blank}, expected []")


def _q2_random(got, expected):
    assert _decoded(got, "random", len(expected["decoded"])) == expected["decoded"]


# ---- q3 -----------------------------------------------------------------------------------


def probe_q3(ns):
    import json

    def model(m):
        config = json.loads(m.to_json())
        config.pop("compile_config", None)  # a custom loss (CTCLoss) would not rebuild
        return (json.dumps(config), list(m.get_weights()),
                int(m.optimizer.iterations) if getattr(m, "optimizer", None) is not None else 0)

    return {"model": lambda: model(ns["build_crnn"]())}


def _logits(model, x):
    import keras

    return keras.ops.convert_to_numpy(model(x.astype("float32"), training=False))


def _q3_output(got, expected):
    model, _ = rebuild(got["model"], "build_crnn()")
    shape = _logits(model, np.zeros((2, HEIGHT, WIDTH, 1))).shape
    if len(shape) != 3 or shape[0] != 2 or shape[2] != N_SYMBOLS:
        raise Fail(f"output shape {shape} for 2 images, expected (2, frames, {N_SYMBOLS})")


def _q3_frames_and_size(got, expected):
    model, _ = rebuild(got["model"], "build_crnn()")
    frames = _logits(model, np.zeros((1, HEIGHT, WIDTH, 1))).shape[1]
    assert frames >= 2 * MAX_DIGITS - 1, f"{frames} frames"
    assert model.count_params() <= 100_000


def _q3_layers(got, expected):
    model, _ = rebuild(got["model"], "build_crnn()")
    kinds = set(layer_kinds(model))
    assert "Conv2D" in kinds and kinds & RECURRENT


# ---- q4 -----------------------------------------------------------------------------------


def probe_q4(ns):
    import json

    def model(m):
        config = json.loads(m.to_json())
        config.pop("compile_config", None)
        return (json.dumps(config), list(m.get_weights()),
                int(m.optimizer.iterations) if getattr(m, "optimizer", None) is not None else 0)

    return {"model": lambda: model(ns["crnn"]), "string_accuracy": lambda: ns["string_accuracy"]}


def _string_accuracy(model, x, y) -> float:
    import keras

    logits = model.predict(x.astype("float32"), batch_size=500, verbose=0)
    if logits.ndim != 3 or logits.shape[2] != N_SYMBOLS:
        raise Fail(f"crnn's output shape {logits.shape}")
    read = _keras_greedy(keras.ops.convert_to_numpy(logits))
    truth = [[int(d) for d in row if d != PAD] for row in y]
    return float(np.mean([r == t for r, t in zip(read, truth, strict=True)]))


def _q4_reported(got, expected):
    trained(got["model"], "crnn")
    share(got["string_accuracy"], "string_accuracy")


def _q4_held_out(got, expected):
    model, _ = rebuild(got["model"], "crnn")
    accuracy = _string_accuracy(model, expected["held_out_x"], expected["held_out_y"])
    assert accuracy >= 0.75, f"{accuracy:.1%} of the grader's strings read exactly"


def _q4_honest(got, expected):
    model, _ = rebuild(got["model"], "crnn")
    measured = _string_accuracy(model, expected["sandbox_x"], expected["sandbox_y"])
    reported = got["string_accuracy"]
    assert type(reported) is float and abs(reported - measured) < 0.01


QUESTIONS = {
    "q1": {"probe": probe_q1, "tests": [
        Test("frames_examples", 1, _q1_examples),
        Test("frames_needed_random_labels", 1, _q1_random, hidden=True),
        Test("frames_after_pooling_matches_keras", 1, _q1_pooling, hidden=True),
    ]},
    "q2": {"probe": probe_q2, "tests": [
        Test("greedy_decode_example", 1, _q2_example),
        Test("greedy_decode_matches_keras", 2, _q2_random, hidden=True),
    ]},
    "q3": {"probe": probe_q3, "tests": [
        Test("crnn_output", 1, _q3_output),
        Test("crnn_has_enough_frames_and_is_small", 1, _q3_frames_and_size, hidden=True),
        Test("crnn_is_convolutional_and_recurrent", 1, _q3_layers, hidden=True),
    ]},
    "q4": {"probe": probe_q4, "tests": [
        Test("trained_and_reported", 1, _q4_reported),
        Test("reads_new_strings_of_unseen_digits", 2, _q4_held_out, hidden=True),
        Test("reported_accuracy_is_the_models", 1, _q4_honest, hidden=True),
    ]},
}
