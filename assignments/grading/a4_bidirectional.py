"""Grading spec of a4_bidirectional: the taggers are rebuilt by the grader from their
configuration and weights (Keras' own layers only) and measured on sequences it draws itself."""

import numpy as np

from grading_tools import Fail, Test, choice, layer_kinds, rebuild, share


def expected():
    return {}


def _targets(x):
    y = np.zeros_like(x)
    y[:, :-1] = x[:, 1:]
    return y


def probe_q1(ns):
    import numpy as np

    x = np.random.default_rng(4).integers(1, 6, size=(50, 9))
    small = np.array([[3, 1, 4, 1, 5], [2, 2, 5, 3, 1]])

    def random_case():
        given = x.copy()
        y = ns["next_symbol_targets"](given)
        return y, given

    return {"small": lambda: ns["next_symbol_targets"](small.copy()), "random": random_case}


def _q1_small(got, expected):
    value = got["small"]
    want = np.array([[1, 4, 1, 5, 0], [2, 5, 3, 1, 0]])
    if not isinstance(value, np.ndarray) or value.shape != want.shape or not (value == want).all():
        raise Fail("next_symbol_targets gives the wrong labels for the small example")


def _q1_random(got, expected):
    x = np.random.default_rng(4).integers(1, 6, size=(50, 9))
    value = got["random"]
    assert isinstance(value, tuple) and len(value) == 2
    y, after = value
    assert isinstance(after, np.ndarray) and (after == x).all(), "x was modified in place"
    dtype = got.values["random"]["v"][0].get("dtype", "")
    assert dtype.startswith(("int", "uint")), "labels must be integers"
    assert isinstance(y, np.ndarray) and y.shape == x.shape and (y == _targets(x)).all()



def probe_q2(ns):
    def model(m):
        return (m.to_json(), list(m.get_weights()),
                int(m.optimizer.iterations) if getattr(m, "optimizer", None) is not None else 0)

    return {"forward": lambda: model(ns["build_tagger"](False)),
            "bidirectional": lambda: model(ns["build_tagger"](True))}


def _q2_shape(got, expected):
    x = np.ones((2, 12), dtype="int32")
    for case in ("forward", "bidirectional"):
        model, _ = rebuild(got[case], f"build_tagger({case == 'bidirectional'})")
        shape = tuple(model(x).shape)
        if shape != (2, 12, 6):
            raise Fail(f"bidirectional={case == 'bidirectional'}: output shape {shape}")


def _q2_direction(got, expected):
    forward, _ = rebuild(got["forward"])
    bidirectional, _ = rebuild(got["bidirectional"])
    assert "Bidirectional" in layer_kinds(bidirectional) and "Bidirectional" not in layer_kinds(forward)


def _q2_probabilities(got, expected):
    import keras

    model, _ = rebuild(got["bidirectional"])
    x = np.random.default_rng(5).integers(1, 6, size=(4, 12))
    p = keras.ops.convert_to_numpy(model(x))
    assert (p >= 0).all() and np.allclose(p.sum(axis=-1), 1.0, rtol=1e-4)


def probe_q3(ns):
    def model(m):
        return (m.to_json(), list(m.get_weights()),
                int(m.optimizer.iterations) if getattr(m, "optimizer", None) is not None else 0)

    return {"forward": lambda: model(ns["forward_model"]), "bidirectional": lambda: model(ns["bi_model"]),
            "forward_accuracy": lambda: ns["forward_accuracy"], "bi_accuracy": lambda: ns["bi_accuracy"]}


def _accuracy(model, seed, n):
    x = np.random.default_rng(seed).integers(1, 6, size=(n, 12))
    return float((model.predict(x, verbose=0).argmax(axis=-1) == _targets(x)).mean())


def _q3_reported(got, expected):
    for name in ("forward_accuracy", "bi_accuracy"):
        share(got[name], name)


def _q3_bidirectional(got, expected):
    model, _ = rebuild(got["bidirectional"], "bi_model")
    assert _accuracy(model, 6, 300) >= 0.95


def _q3_forward(got, expected):
    model, _ = rebuild(got["forward"], "forward_model")
    assert _accuracy(model, 6, 300) <= 0.40


def _q3_honest(got, expected):
    for case, name in (("forward", "forward_accuracy"), ("bidirectional", "bi_accuracy")):
        model, _ = rebuild(got[case])
        reported = got[name]
        assert type(reported) is float and abs(_accuracy(model, 2, 500) - reported) < 0.01


def probe_q4(ns):
    return {"answer": lambda: ns["q4_answer"]}


def _q4_letter(got, expected):
    choice(got["answer"], "q4_answer")


def _q4_answer(got, expected):
    assert got["answer"] == "b"


QUESTIONS = {
    "q1": {"probe": probe_q1, "tests": [
        Test("next_symbol_small_example", 1, _q1_small),
        Test("next_symbol_random_and_input_unchanged", 1, _q1_random, hidden=True),
    ]},
    "q2": {"probe": probe_q2, "tests": [
        Test("tagger_output_shape", 1, _q2_shape),
        Test("tagger_direction", 1, _q2_direction, hidden=True),
        Test("tagger_outputs_probabilities", 1, _q2_probabilities, hidden=True),
    ]},
    "q3": {"probe": probe_q3, "tests": [
        Test("accuracies_reported", 1, _q3_reported),
        Test("bidirectional_model_solves_it", 1, _q3_bidirectional, hidden=True),
        Test("forward_model_cannot", 1, _q3_forward, hidden=True),
        Test("reported_accuracies_are_the_models", 1, _q3_honest, hidden=True),
    ]},
    "q4": {"probe": probe_q4, "tests": [
        Test("q4_is_a_letter", 0, _q4_letter),
        Test("q4_answer", 1, _q4_answer, hidden=True),
    ]},
}
