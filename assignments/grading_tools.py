"""What the grading specs (``assignments/grading/<name>.py``) are written with.

A spec defines, per question, a *probe* (a function ``probe(ns)`` that runs in the sandbox, after
the question's cells, and returns ``{case: thunk}``: each thunk calls the submission's code,
found in the notebook's namespace ``ns``, on one test's inputs) and *tests* (``Test(name,
points, check, hidden)``, run by the grader in a fresh interpreter: ``check(got, expected)``
raises ``Fail`` or ``AssertionError`` with a message for the student). ``got[case]`` is the
value the thunk returned, as plain data only: ``int``, ``float``, ``bool``, ``str``, ``None``,
tuples and lists of these, or a float64 ``numpy`` array (``got.dtype(case)`` is the dtype the
submission's array had, ``got.kind(case)`` what kind of value it was). An exception in the
submission's code, or a name it never defined, makes ``got[case]`` raise ``Fail`` with that
message, so a test that uses the case fails. ``expected`` holds what the spec's
``expected()`` computed, once per assignment, in a fresh interpreter.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Callable

import numpy as np


class Fail(Exception):
    """A test failed; the message is shown to the student (public tests only)."""


@dataclass
class Test:
    name: str
    points: float
    check: Callable
    hidden: bool = False


def encode(value):
    """A trusted value (from ``expected()``) as plain data, as the sandbox sends them."""
    if value is None:
        return {"t": "none"}
    if isinstance(value, bool):
        return {"t": "bool", "v": value}
    if isinstance(value, int):
        return {"t": "int", "v": value}
    if isinstance(value, float):
        return {"t": "float", "v": value}
    if isinstance(value, str):
        return {"t": "str", "v": value, "len": len(value)}
    if isinstance(value, (tuple, list)):
        return {"t": type(value).__name__, "v": [encode(v) for v in value]}
    array = np.asarray(value)
    return {"t": "array", "shape": list(array.shape), "dtype": array.dtype.name, "pytype": "ndarray",
            "b64": base64.b64encode(array.astype(np.float64).tobytes()).decode()}


def decode(plain):
    """Plain data back into Python values, checking every field; never runs anything."""
    if not isinstance(plain, dict):
        raise Fail("malformed value")
    kind = plain.get("t")
    if kind == "none":
        return None
    if kind == "bool":
        return bool(plain["v"]) if type(plain["v"]) is bool else _bad()
    if kind == "int":
        return plain["v"] if type(plain["v"]) is int else _bad()
    if kind == "float":
        return float(plain["v"]) if type(plain["v"]) in (int, float) else _bad()
    if kind == "str":
        return plain["v"] if type(plain["v"]) is str and plain.get("len") == len(plain["v"]) else _bad()
    if kind in ("tuple", "list"):
        items = [decode(v) for v in plain["v"]] if type(plain.get("v")) is list else _bad()
        return tuple(items) if kind == "tuple" else items
    if kind == "array":
        shape = plain.get("shape")
        if type(shape) is not list or not all(type(n) is int and n >= 0 for n in shape):
            _bad()
        data = np.frombuffer(base64.b64decode(plain["b64"]), dtype="<f8")
        if data.size != int(np.prod(shape, dtype=np.int64)):
            _bad()
        return data.reshape(shape).copy()
    if kind == "error":
        raise Fail(str(plain.get("error", "error"))[:600])
    if kind == "other":
        return Other(str(plain.get("type", "?"))[:100])
    _bad()


def _bad():
    raise Fail("malformed value")


@dataclass(frozen=True)
class Other:
    """A value that is not plain data (a model, a function): only its type's name comes back."""

    type: str


class Got:
    """One question's values from the sandbox."""

    def __init__(self, values):
        self.values = values if isinstance(values, dict) else None

    def __getitem__(self, case):
        if self.values is None:
            raise Fail("the notebook never reached this question's tests (see above)")
        if case not in self.values:
            probe = self.values.get("__probe__")
            raise Fail(probe.get("error", "no value") if isinstance(probe, dict) else f"no value for {case}")
        return decode(self.values[case])

    def kind(self, case) -> str:
        self[case]
        return self.values[case].get("t")

    def dtype(self, case) -> str:
        return str(self.values[case].get("dtype", "")) if self.kind(case) == "array" else ""


def run_test(test: Test, got: Got, expected: dict) -> tuple[bool, str]:
    try:
        test.check(got, expected)
    except (Fail, AssertionError) as error:
        return False, str(error)[:800] or "failed"
    except Exception as error:  # noqa: BLE001 (a value of the wrong kind)
        return False, f"{type(error).__name__}: {str(error)[:600]}"
    return True, ""


# ---- helpers for checks -------------------------------------------------------------------


def array(value, what="the result") -> np.ndarray:
    """A numeric array (a number counts as a 0-d array); Fail otherwise."""
    if isinstance(value, np.ndarray):
        return value
    if type(value) in (int, float) or (isinstance(value, (list, tuple)) and _numeric(value)):
        return np.asarray(value, dtype=np.float64)
    raise Fail(f"{what} is not an array of numbers")


def _numeric(items) -> bool:
    return all(type(v) in (int, float) or (isinstance(v, (list, tuple)) and _numeric(v)) for v in items)


def close(value, expected, what="the result", rtol=1e-7, atol=0.0):
    got = array(value, what)
    expected = np.asarray(expected, dtype=np.float64)
    if got.shape != expected.shape:
        raise Fail(f"{what}: shape {got.shape}, expected {expected.shape}")
    if not np.all(np.isfinite(got) | ~np.isfinite(expected)):
        raise Fail(f"{what}: not finite")
    if not np.allclose(got, expected, rtol=rtol, atol=atol):
        worst = float(np.max(np.abs(got - expected)))
        raise Fail(f"{what}: values differ from the expected ones (largest difference {worst:.3g})")


def shape(value, expected, what="the result"):
    got = array(value, what).shape
    if got != tuple(expected):
        raise Fail(f"{what}: shape {got}, expected {tuple(expected)}")


def is_int(value) -> bool:
    return type(value) is int


def is_float(value) -> bool:
    return type(value) is float


def share(value, what):
    """Raise ``Fail`` unless ``value`` is a float in [0, 1] (an accuracy a student reports)."""
    if type(value) is not float:
        raise Fail(f"{what} must be a float")
    if not 0.0 <= value <= 1.0:
        raise Fail(f"{what} must be in [0, 1]")


def choice(value, what, options=("a", "b", "c", "d")):
    """Raise ``Fail`` unless ``value`` is one of ``options`` (a multiple-choice answer)."""
    if value not in options:
        quoted = [f'"{option}"' for option in options]
        raise Fail(f"{what} must be {', '.join(quoted[:-1])} or {quoted[-1]}")


def trained(value, what="the model"):
    """``rebuild(value, what)``, and ``Fail`` unless the optimizer has taken a step (fit ran)."""
    model, iterations = rebuild(value, what)
    if not (isinstance(iterations, int) and iterations > 0):
        raise Fail(f"{what} has not been trained (fit)")
    return model


def rebuild(value, what="the model"):
    """A Keras model rebuilt by the grader from the configuration and weights the sandbox sent
    (``(model.to_json(), model.get_weights(), optimizer iterations)``). Keras' safe mode refuses
    ``Lambda`` layers and unknown classes: only Keras' own layers, with the submission's
    weights, ever run here. Returns ``(model, iterations)``."""
    import keras

    if not (isinstance(value, tuple) and len(value) == 3 and isinstance(value[0], str)
            and isinstance(value[1], list) and all(isinstance(w, np.ndarray) for w in value[1])):
        raise Fail(f"{what} is not a Keras model")
    config, weights, iterations = value
    import hashlib

    key = hashlib.sha256(config.encode() + b"".join(w.tobytes() for w in weights)).hexdigest()
    if key in _REBUILT:
        return _REBUILT[key], iterations
    try:
        model = keras.models.model_from_json(config)
    except Exception as error:  # noqa: BLE001
        raise Fail(f"{what} could not be rebuilt from its configuration (use Keras' own layers, "
                   f"no Lambda layers or custom classes): {type(error).__name__}") from None
    if model.count_params() > 5_000_000:
        raise Fail(f"{what} has more than 5 million parameters")
    try:
        model.set_weights([w.astype(v.dtype) for w, v in zip(weights, model.weights, strict=True)])
    except Exception as error:  # noqa: BLE001
        raise Fail(f"{what}'s weights do not fit its configuration: {type(error).__name__}") from None
    _REBUILT[key] = model
    return model, iterations


_REBUILT: dict = {}


def fresh_model(value, what="the model", max_params=5_000_000):
    """A new Keras model, with new weights, built by the grader from the configuration the
    sandbox sent (the first item of ``rebuild``'s triple; the weights are ignored), in safe
    mode, without compiling it: for retraining a submission's architecture under the grader's
    own protocol. Seed first (``keras.utils.set_random_seed``) for repeatable weights."""
    import json

    import keras

    if not (isinstance(value, tuple) and len(value) == 3 and isinstance(value[0], str)):
        raise Fail(f"{what} is not a Keras model")
    try:
        config = json.loads(value[0])
        config.pop("compile_config", None)  # the grader's protocol compiles it
        model = keras.saving.deserialize_keras_object(config, safe_mode=True)
    except Exception as error:  # noqa: BLE001
        raise Fail(f"{what} could not be rebuilt from its configuration (use Keras' own layers, "
                   f"no Lambda layers or custom classes): {type(error).__name__}") from None
    if not isinstance(model, keras.Model):
        raise Fail(f"{what} is not a Keras model")
    if model.count_params() > max_params:
        raise Fail(f"{what} has {model.count_params():,} parameters, more than {max_params:,}")
    return model


def layer_kinds(model) -> list[str]:
    return [type(layer).__name__ for layer in model.layers]


# ---- scikit-learn's digits, with a test split the sandbox never sees (a2, a5) ---------------


def digits_split():
    """The indices of the notebooks' split of all 1,797 digits into training and test digits:
    ``train_test_split(test_size=0.25, random_state=0, stratify=target)``."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    target = load_digits().target
    return train_test_split(np.arange(len(target)), test_size=0.25, random_state=0, stratify=target)


def digits_sandbox_files():
    """``digits.csv.gz`` with only the training split's rows, in place of scikit-learn's in the
    sandbox (a spec's ``sandbox_files``): there ``load_digits()`` returns 1,347 digits, and the
    450 test digits are the grader's alone."""
    import gzip
    import os

    import sklearn.datasets

    path = os.path.join(os.path.dirname(sklearn.datasets.__file__), "data", "digits.csv.gz")
    with gzip.open(path, "rt") as f:
        rows = f.read().splitlines()
    train, _ = digits_split()
    return {path: gzip.compress(("\n".join(rows[i] for i in sorted(train)) + "\n").encode(), mtime=0)}


def digits_seen_by_the_sandbox():
    """``(images, target)`` as ``load_digits()`` returns them in the sandbox (the training
    split's digits, in file order)."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    kept = np.sort(digits_split()[0])
    return digits.images[kept], digits.target[kept]


def digits_held_out():
    """``(images, target)`` of the 450 digits the sandbox never has."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    test = digits_split()[1]
    return digits.images[test], digits.target[test]
