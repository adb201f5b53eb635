"""Grading spec of a2_cnn_classifier.

"Never train on the test split" is enforced by grading on a test set the submission never had:
in the sandbox, scikit-learn's copy of the digits holds only the 1,347 images of the notebook's
training split, so the notebook's own split (1,010 train / 337 test) is made from those, and the
grader measures the model on the 450 images it kept back. The model is rebuilt by the grader
from its configuration and weights (Keras' own layers only) and measured there.
"""

import numpy as np

from grading_tools import (
    Fail,
    Test,
    digits_held_out,
    digits_sandbox_files,
    digits_seen_by_the_sandbox,
    layer_kinds,
    rebuild,
    share,
    trained,
)

sandbox_files = digits_sandbox_files  # scikit-learn's digits, without the test split


def expected():
    from sklearn.model_selection import train_test_split

    images, target = digits_seen_by_the_sandbox()
    _, sandbox_images, _, sandbox_labels = train_test_split(
        images, target, test_size=0.25, random_state=0, stratify=target)
    held_out_images, held_out_labels = digits_held_out()
    return {"held_out_x": held_out_images[..., None] / 16.0, "held_out_y": held_out_labels,
            "sandbox_x": sandbox_images[..., None] / 16.0, "sandbox_y": sandbox_labels}


def probe_q1(ns):
    import numpy as np

    pixels = np.random.default_rng(12).integers(0, 17, size=(50, 8, 8)).astype(float)
    return {"full": lambda: ns["prepare"](np.full((3, 8, 8), 16.0)),
            "values": lambda: ns["prepare"](pixels.copy())}


def _q1_shape(got, expected):
    value = got["full"]
    if not isinstance(value, np.ndarray) or value.shape != (3, 8, 8, 1):
        raise Fail(f"prepare: shape {getattr(value, 'shape', None)}, expected (3, 8, 8, 1)")
    if got.dtype("full") != "float32":
        raise Fail(f"dtype {got.dtype('full')}, expected float32")


def _q1_values(got, expected):
    pixels = np.random.default_rng(12).integers(0, 17, size=(50, 8, 8)).astype(float)
    value = got["values"]
    if not isinstance(value, np.ndarray) or not np.allclose(value, pixels[..., None] / 16.0, rtol=1e-6):
        raise Fail("prepare: wrong values")


def probe_q2(ns):
    def model(m):
        return (m.to_json(), list(m.get_weights()),
                int(m.optimizer.iterations) if getattr(m, "optimizer", None) is not None else 0)

    return {"model": lambda: model(ns["build_model"]())}


def _q2_shape_and_conv(got, expected):
    model, _ = rebuild(got["model"], "build_model()")
    shape = tuple(model(np.zeros((2, 8, 8, 1), dtype="float32")).shape)
    if shape != (2, 10):
        raise Fail(f"output shape {shape} for 2 images, expected (2, 10)")
    if "Conv2D" not in layer_kinds(model):
        raise Fail(f"no Conv2D layer among {layer_kinds(model)}")


def _q2_small(got, expected):
    model, _ = rebuild(got["model"], "build_model()")
    assert model.count_params() <= 20_000


def _q2_probabilities(got, expected):
    import keras

    model, _ = rebuild(got["model"], "build_model()")
    x = np.random.default_rng(0).uniform(size=(5, 8, 8, 1)).astype("float32")
    p = keras.ops.convert_to_numpy(model(x))
    assert (p >= 0).all() and np.allclose(p.sum(axis=1), 1.0, rtol=1e-4)


def probe_q3(ns):
    def model(m):
        return (m.to_json(), list(m.get_weights()),
                int(m.optimizer.iterations) if getattr(m, "optimizer", None) is not None else 0)

    return {"model": lambda: model(ns["model"]), "test_accuracy": lambda: ns["test_accuracy"]}


def _accuracy(model, x, y) -> float:
    return float((model.predict(x.astype("float32"), verbose=0).argmax(axis=1) == y).mean())


def _q3_trained(got, expected):
    trained(got["model"], "model")
    share(got["test_accuracy"], "test_accuracy")


def _q3_accuracy(got, expected):
    model, _ = rebuild(got["model"], "model")
    accuracy = _accuracy(model, expected["held_out_x"], expected["held_out_y"])
    assert accuracy >= 0.95, f"accuracy on the grader's test images {accuracy:.3f} < 0.95"


def _q3_reported(got, expected):
    model, _ = rebuild(got["model"], "model")
    accuracy = _accuracy(model, expected["sandbox_x"], expected["sandbox_y"])
    reported = got["test_accuracy"]
    assert type(reported) is float and abs(reported - accuracy) < 0.01


QUESTIONS = {
    "q1": {"probe": probe_q1, "tests": [
        Test("prepare_shape_and_dtype", 1, _q1_shape),
        Test("prepare_values", 1, _q1_values, hidden=True),
    ]},
    "q2": {"probe": probe_q2, "tests": [
        Test("model_shape_and_conv", 1, _q2_shape_and_conv),
        Test("model_is_small", 1, _q2_small, hidden=True),
        Test("model_outputs_probabilities", 1, _q2_probabilities, hidden=True),
    ]},
    "q3": {"probe": probe_q3, "tests": [
        Test("trained_and_reported", 1, _q3_trained),
        Test("accuracy_reaches_95_percent_on_unseen_digits", 2, _q3_accuracy, hidden=True),
        Test("reported_accuracy_is_the_models", 1, _q3_reported, hidden=True),
    ]},
}
