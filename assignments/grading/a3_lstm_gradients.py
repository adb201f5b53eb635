"""Grading spec of a3_lstm_gradients: probes run in the sandbox, tests on plain values outside it."""

import numpy as np

from grading_tools import Fail, Test, choice, close, is_float, is_int

_LSTM_SHAPES = [(4, 20), (5, 20), (20,)]  # LSTM(5) on 4 features: kernel, recurrent kernel, bias


def _lstm_inputs():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(3, 6, 4)).astype("float32")
    weights = [rng.normal(scale=0.5, size=shape).astype("float32") for shape in _LSTM_SHAPES]
    return x, weights


def _norms(layer, x):
    """The reference: chapter 10's gradient, on the backend the grader runs on."""
    import keras
    from cnnrnn.gradients import input_gradient

    grad = input_gradient(lambda xt: keras.ops.sum(layer(xt)), x)
    return np.sqrt((grad**2).sum(axis=(0, 2)))[::-1]


def _notebook_rnn():
    import keras

    rnn = keras.layers.SimpleRNN(
        16, kernel_initializer=keras.initializers.GlorotUniform(seed=1),
        recurrent_initializer=keras.initializers.Orthogonal(gain=0.8, seed=2))
    x = np.random.default_rng(3).normal(size=(64, 30, 1)).astype("float32")
    return rnn, x


def expected():
    import keras

    x, weights = _lstm_inputs()
    layer = keras.layers.LSTM(5, return_state=True)
    layer.build(x.shape)
    layer.set_weights(weights)
    _, h, c = [keras.ops.convert_to_numpy(t) for t in layer(x)]
    rnn, rnn_x = _notebook_rnn()
    return {"lstm_h": h, "lstm_c": c, "rnn_norms": _norms(rnn, rnn_x)}


def probe_q1(ns):
    import numpy as np

    rng = np.random.default_rng(7)
    x = rng.normal(size=(3, 6, 4)).astype("float32")
    weights = [rng.normal(scale=0.5, size=shape).astype("float32") for shape in [(4, 20), (5, 20), (20,)]]
    c = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]])
    z = np.zeros

    def keras_case():
        h, cell = np.zeros((3, 5)), np.zeros((3, 5))
        for t in range(x.shape[1]):
            h, cell = ns["lstm_step"](x[:, t].copy(), h, cell, *[w.copy() for w in weights])
        return h, cell

    bias = np.zeros(8)
    bias[2:4] = 50.0  # f = 1
    bias[:2] = -50.0  # i = 0
    kept = np.array([[0.3, -0.7]])
    return {
        "zero": lambda: tuple(ns["lstm_step"](z((2, 4)), z((2, 3)), c.copy(), z((4, 12)), z((3, 12)), z(12))),
        "keras": keras_case,
        "gates": lambda: tuple(
            ns["lstm_step"](z((1, 1)), z((1, 2)), kept.copy(), z((1, 8)), z((2, 8)), bias.copy())),
    }


def _pair(value, what):
    if not (isinstance(value, tuple) and len(value) == 2):
        raise Fail(f"{what} must return the pair (h_new, c_new)")
    return value


def _q1_zero(got, expected):
    h, c_new = _pair(got["zero"], "lstm_step")
    c = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]])
    close(c_new, c / 2, "c_new with zero weights")
    close(h, np.tanh(c / 2) / 2, "h_new with zero weights")


def _q1_keras(got, expected):
    h, c = _pair(got["keras"], "lstm_step")
    close(h, expected["lstm_h"], "h after 6 steps", rtol=1e-4, atol=1e-5)
    close(c, expected["lstm_c"], "c after 6 steps", rtol=1e-4, atol=1e-5)


def _q1_gates(got, expected):
    _, c = _pair(got["gates"], "lstm_step")
    close(c, [[0.3, -0.7]], "c_new with only the forget gate open", atol=1e-6)


def probe_q2(ns):
    import keras
    import numpy as np

    def notebook_rnn():
        rnn = keras.layers.SimpleRNN(
            16, kernel_initializer=keras.initializers.GlorotUniform(seed=1),
            recurrent_initializer=keras.initializers.Orthogonal(gain=0.8, seed=2))
        return rnn, np.random.default_rng(3).normal(size=(64, 30, 1)).astype("float32")

    def other():
        layer = keras.layers.SimpleRNN(4, kernel_initializer=keras.initializers.GlorotUniform(seed=5))
        x = np.random.default_rng(9).normal(size=(8, 7, 3)).astype("float32")
        layer.build(x.shape)
        weights = [np.array(w) for w in layer.get_weights()]
        return weights, ns["gradient_norms"](layer, x)

    return {"rnn": lambda: ns["gradient_norms"](*notebook_rnn()), "other": other}


def _q2_shape(got, expected):
    norms = got["rnn"]
    if not isinstance(norms, np.ndarray) or norms.shape != (30,):
        raise Fail(f"shape {getattr(norms, 'shape', None)}, expected (30,)")
    if not (np.isfinite(norms).all() and (norms >= 0).all()):
        raise Fail("norms must be finite, >= 0")


def _q2_values(got, expected):
    close(got["rnn"], expected["rnn_norms"], "gradient_norms(rnn, x)", rtol=1e-4, atol=1e-7)


def _q2_other(got, expected):
    import keras

    value = got["other"]
    if not (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], list)):
        raise Fail("no value")
    weights, norms = value
    layer = keras.layers.SimpleRNN(4)
    x = np.random.default_rng(9).normal(size=(8, 7, 3)).astype("float32")
    layer.build(x.shape)
    layer.set_weights([np.asarray(w, dtype="float32") for w in weights])
    close(norms, _norms(layer, x), "gradient_norms(another layer, x)", rtol=1e-4, atol=1e-7)


def probe_q3(ns):
    import keras
    import numpy as np

    def norms():
        rnn = keras.layers.SimpleRNN(
            16, kernel_initializer=keras.initializers.GlorotUniform(seed=1),
            recurrent_initializer=keras.initializers.Orthogonal(gain=0.8, seed=2))
        return ns["gradient_norms"](rnn, np.random.default_rng(3).normal(size=(64, 30, 1)).astype("float32"))

    return {"decay_factor": lambda: ns["decay_factor"], "steps_to_vanish": lambda: ns["steps_to_vanish"],
            "norms": norms}


def _q3_types(got, expected):
    decay = got["decay_factor"]
    if not is_float(decay):
        raise Fail("decay_factor must be a float")
    if not 0.0 < decay < 1.0:
        raise Fail("a vanishing gradient decays: 0 < decay_factor < 1")
    if not is_int(got["steps_to_vanish"]):
        raise Fail("steps_to_vanish must be an int")


def _student_norms(got):
    norms = got["norms"]
    if not isinstance(norms, np.ndarray) or norms.ndim != 1 or len(norms) < 2 or not (norms > 0).all():
        raise Fail("gradient_norms gives no usable norms")
    return norms


def _q3_decay(got, expected):
    norms = _student_norms(got)
    slope = np.polyfit(np.arange(len(norms)), np.log(norms), 1)[0]
    decay = got["decay_factor"]
    assert is_float(decay) and abs(decay - np.exp(slope)) < 1e-3


def _q3_steps(got, expected):
    norms = _student_norms(got)
    below = np.flatnonzero(norms < 0.01 * norms[0])
    steps = got["steps_to_vanish"]
    assert len(below) and type(steps) in (int, float) and steps == int(below[0])


def probe_q4(ns):
    return {"answer": lambda: ns["q4_answer"]}


def _q4_letter(got, expected):
    choice(got["answer"], "q4_answer")


def _q4_answer(got, expected):
    assert got["answer"] == "b"


QUESTIONS = {
    "q1": {"probe": probe_q1, "tests": [
        Test("lstm_step_with_zero_weights", 1, _q1_zero),
        Test("lstm_step_matches_keras_lstm", 2, _q1_keras, hidden=True),
        Test("lstm_step_gate_order", 1, _q1_gates, hidden=True),
    ]},
    "q2": {"probe": probe_q2, "tests": [
        Test("gradient_norms_shape", 1, _q2_shape),
        Test("gradient_norms_values", 1, _q2_values, hidden=True),
        Test("gradient_norms_other_layer", 1, _q2_other, hidden=True),
    ]},
    "q3": {"probe": probe_q3, "tests": [
        Test("diagnosis_types", 1, _q3_types),
        Test("decay_factor", 1, _q3_decay, hidden=True),
        Test("steps_to_vanish", 1, _q3_steps, hidden=True),
    ]},
    "q4": {"probe": probe_q4, "tests": [
        Test("q4_is_a_letter", 0, _q4_letter),
        Test("q4_answer", 1, _q4_answer, hidden=True),
    ]},
}
