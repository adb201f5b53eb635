"""Grading spec of a6_head_to_head: every number the submission reports is recomputed.

* q1: the two builders' models are rebuilt by the grader (Keras' own layers only) and checked:
  output, family (every layer, nested ones too), size.
* q2: the trained models are rebuilt with their weights and measured by the grader on the
  notebook's test logs, which it makes itself: the reported accuracies must be the models',
  the parameter counts exact.
* q3: the grader retrains both architectures, with new weights from a fixed seed and the
  notebook's protocol, on logs it draws itself and the notebook never had, and measures them
  on more such logs. The family the submission reports as the more accurate and the one it
  chooses must win there too (a gap under ``TIE`` is a tie, which any claim passes), and
  neither architecture may be built to lose (``FAIR`` accuracy each). So neither a typed
  number nor a contender trained badly in the notebook changes the verdict.
"""

import time

import numpy as np

from grading_tools import Fail, Test, choice, fresh_model, is_int, rebuild, trained

STEPS, VOCAB, A, B = 30, 6, 1, 2
TIE = 0.03  # a smaller gap in the grader's retraining is a tie
FAIR = 0.70  # accuracy each architecture must reach in the grader's retraining
MAX_PARAMETERS = 20_000
RETRAIN_SECONDS = 90  # per architecture; a slower one fails its tests
GRADER_TRAIN_SEED, GRADER_TEST_SEED = 101, 102  # logs the notebook never has
RECURRENT = {"SimpleRNN", "GRU", "LSTM", "Bidirectional", "RNN", "ConvLSTM1D"}
CONVOLUTION = {"Conv1D", "Conv2D", "SeparableConv1D", "DepthwiseConv1D", "Conv1DTranspose"}
ATTENTION = {"MultiHeadAttention", "Attention", "AdditiveAttention", "GroupQueryAttention"}


def _make_logs(n, seed):
    """The notebook's make_logs (its set-up cell)."""
    rng = np.random.default_rng(seed)
    x = rng.integers(3, VOCAB + 1, size=(n, STEPS))
    y = np.zeros(n, "int32")
    for i in range(n):
        count = rng.integers(2, 5)
        minutes = np.sort(rng.choice(STEPS, size=count, replace=False))
        events = rng.choice([A, B], size=count)
        x[i, minutes] = events
        y[i] = events[-1] == A
    return x, y


def expected():
    return {}


def _all_kinds(model) -> set[str]:
    """The class names of every layer of the model, those nested in others included."""
    return {type(layer).__name__ for layer in model._flatten_layers(include_self=False, recursive=True)}


def _check_family(model, family):
    kinds = _all_kinds(model)
    if kinds & ATTENTION:
        raise Fail(f"build_{family}() uses attention ({sorted(kinds & ATTENTION)})")
    if family == "cnn" and ("Conv1D" not in kinds or kinds & RECURRENT):
        raise Fail(f"build_cnn() must have Conv1D layers and no recurrent layer (it has {sorted(kinds)})")
    if family == "rnn" and (not kinds & RECURRENT or kinds & CONVOLUTION):
        raise Fail(f"build_rnn() must have a recurrent layer and no convolution (it has {sorted(kinds)})")


def _accuracy(model, x, y) -> float:
    p = np.asarray(model.predict(x, batch_size=500, verbose=0))
    if p.shape != (len(x), 1):
        raise Fail(f"output shape {p.shape} for {len(x)} logs, expected ({len(x)}, 1)")
    return float(((p[:, 0] > 0.5) == y).mean())


# ---- q1 -----------------------------------------------------------------------------------


def probe_q1(ns):
    import json

    def model(m):
        config = json.loads(m.to_json())
        config.pop("compile_config", None)  # the grader compiles with the notebook's protocol
        return (json.dumps(config), list(m.get_weights()),
                int(m.optimizer.iterations) if getattr(m, "optimizer", None) is not None else 0)

    return {"cnn": lambda: model(ns["build_cnn"]()), "rnn": lambda: model(ns["build_rnn"]())}


def _q1_output(got, expected):
    x = np.random.default_rng(0).integers(1, VOCAB + 1, size=(3, STEPS))
    for family in ("cnn", "rnn"):
        model, _ = rebuild(got[family], f"build_{family}()")
        p = np.asarray(model.predict(x, verbose=0))
        if p.shape != (3, 1):
            raise Fail(f"build_{family}(): output shape {p.shape} for 3 logs, expected (3, 1)")
        if not ((p >= 0) & (p <= 1)).all():
            raise Fail(f"build_{family}(): the outputs are not probabilities")


def _q1_family(got, expected):
    for family in ("cnn", "rnn"):
        model, _ = rebuild(got[family], f"build_{family}()")
        _check_family(model, family)


def _q1_small(got, expected):
    for family in ("cnn", "rnn"):
        model, _ = rebuild(got[family], f"build_{family}()")
        assert model.count_params() <= MAX_PARAMETERS


# ---- q2 -----------------------------------------------------------------------------------


def probe_q2(ns):
    import json

    def model(m):
        config = json.loads(m.to_json())
        config.pop("compile_config", None)
        return (json.dumps(config), list(m.get_weights()),
                int(m.optimizer.iterations) if getattr(m, "optimizer", None) is not None else 0)

    def table():
        comparison = ns["comparison"]
        return tuple((family, comparison[family]["parameters"], comparison[family]["test_accuracy"])
                     for family in ("cnn", "rnn"))

    return {"cnn_model": lambda: model(ns["cnn_model"]), "rnn_model": lambda: model(ns["rnn_model"]),
            "families": lambda: sorted(str(key) for key in ns["comparison"]), "table": table}


def _table(got):
    """{family: (parameters, test_accuracy)} as reported, types checked."""
    table = got["table"]
    if not (isinstance(table, tuple) and len(table) == 2):
        raise Fail("comparison needs the entries 'cnn' and 'rnn'")
    reported = {}
    for family, parameters, accuracy in table:
        if not is_int(parameters):
            raise Fail(f'comparison["{family}"]["parameters"] must be an int')
        if type(accuracy) is not float or not 0.0 <= accuracy <= 1.0:
            raise Fail(f'comparison["{family}"]["test_accuracy"] must be a float in [0, 1]')
        reported[family] = (parameters, accuracy)
    return reported


def _q2_complete(got, expected):
    if got["families"] != ["cnn", "rnn"]:
        raise Fail(f"comparison has the entries {got['families']}, expected 'cnn' and 'rnn'")
    for family in ("cnn", "rnn"):
        trained(got[f"{family}_model"], f"{family}_model")
    _table(got)


def _q2_parameters(got, expected):
    reported = _table(got)
    for family in ("cnn", "rnn"):
        model, _ = rebuild(got[f"{family}_model"], f"{family}_model")
        assert reported[family][0] == model.count_params()


def _q2_accuracies(got, expected):
    reported = _table(got)
    x, y = _make_logs(500, seed=2)  # the notebook's x_test, y_test
    for family in ("cnn", "rnn"):
        model, _ = rebuild(got[f"{family}_model"], f"{family}_model")
        assert abs(_accuracy(model, x, y) - reported[family][1]) < 0.01


# ---- q3 -----------------------------------------------------------------------------------


def probe_q3(ns):
    import json

    def model(m):
        config = json.loads(m.to_json())
        config.pop("compile_config", None)
        return (json.dumps(config), list(m.get_weights()),
                int(m.optimizer.iterations) if getattr(m, "optimizer", None) is not None else 0)

    def table():
        comparison = ns["comparison"]
        return tuple((family, comparison[family]["parameters"], comparison[family]["test_accuracy"])
                     for family in ("cnn", "rnn"))

    return {"cnn": lambda: model(ns["build_cnn"]()), "rnn": lambda: model(ns["build_rnn"]()),
            "table": table, "choice": lambda: ns["choice"], "reason": lambda: ns["reason"]}


_RETRAINED: dict = {}


def _retrain(value, family) -> float:
    """The architecture ``build_<family>()`` sent, with new weights (seed 0), trained with the
    notebook's protocol on the grader's logs; its accuracy on the grader's test logs."""
    import keras

    if not (isinstance(value, tuple) and len(value) == 3 and isinstance(value[0], str)):
        raise Fail(f"build_{family}() did not give a Keras model")
    key = (family, value[0])
    if key not in _RETRAINED:
        try:
            keras.utils.set_random_seed(0)
            model = fresh_model(value, f"build_{family}()", max_params=MAX_PARAMETERS)
            _check_family(model, family)
            model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy")
            x, y = _make_logs(1500, GRADER_TRAIN_SEED)
            model.fit(x, y, epochs=4, batch_size=32, verbose=0, callbacks=[_time_limit(RETRAIN_SECONDS)])
            _RETRAINED[key] = _accuracy(model, *_make_logs(1000, GRADER_TEST_SEED))
        except Fail as error:
            _RETRAINED[key] = error
        except Exception as error:  # noqa: BLE001 (an architecture that does not fit the logs)
            _RETRAINED[key] = Fail(f"build_{family}() could not be trained on the logs: "
                                   f"{type(error).__name__}")
    if isinstance(_RETRAINED[key], Fail):
        raise _RETRAINED[key]
    return _RETRAINED[key]


def _time_limit(seconds):
    """A Keras callback that stops a training past ``seconds``: the test fails."""
    import keras

    class TimeLimit(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.start = time.monotonic()

        def on_train_batch_end(self, batch, logs=None):
            if time.monotonic() - self.start > seconds:
                raise Fail(f"retraining took more than {seconds} s")

    return TimeLimit()


def _measured(got) -> dict:
    return {family: _retrain(got[family], family) for family in ("cnn", "rnn")}


def _q3_valid(got, expected):
    choice(got["choice"], "choice", ("cnn", "rnn"))
    choice(got["reason"], "reason")


def _q3_ranking(got, expected):
    reported = _table(got)
    measured = _measured(got)
    gap = measured["rnn"] - measured["cnn"]
    claimed = reported["rnn"][1] - reported["cnn"][1]
    assert abs(gap) < TIE or np.sign(gap) == np.sign(claimed)


def _q3_choice(got, expected):
    measured = _measured(got)
    winner = max(measured, key=measured.get)
    assert abs(measured["rnn"] - measured["cnn"]) < TIE or got["choice"] == winner


def _q3_fair(got, expected):
    assert min(_measured(got).values()) >= FAIR


def _q3_reason(got, expected):
    assert got["reason"] == "b"


QUESTIONS = {
    "q1": {"probe": probe_q1, "tests": [
        Test("contenders_output_probabilities", 1, _q1_output),
        Test("contenders_are_of_their_family", 1, _q1_family, hidden=True),
        Test("contenders_are_small", 1, _q1_small, hidden=True),
    ]},
    "q2": {"probe": probe_q2, "tests": [
        Test("comparison_is_complete", 1, _q2_complete),
        Test("parameters_are_counted", 1, _q2_parameters, hidden=True),
        Test("accuracies_are_the_models", 1, _q2_accuracies, hidden=True),
    ]},
    "q3": {"probe": probe_q3, "tests": [
        Test("choice_and_reason_are_valid", 0, _q3_valid),
        Test("reported_ranking_reproduces", 1, _q3_ranking, hidden=True),
        Test("choice_is_the_measured_winner", 1, _q3_choice, hidden=True),
        Test("contenders_are_fair", 1, _q3_fair, hidden=True),
        Test("reason", 1, _q3_reason, hidden=True),
    ]},
}
