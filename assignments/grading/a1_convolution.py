"""Grading spec of a1_convolution: probes run in the sandbox, tests on plain values outside it.

The rule "NumPy only" is enforced: in the sandbox, importing Keras, TensorFlow, SciPy, PyTorch,
JAX, scikit-learn or the course's helper package raises ImportError.
"""

from grading_tools import Fail, Test, close, is_int, shape

_NUMPY_ONLY = "Assignment 1 is NumPy only: {} cannot be imported here."
HIDE = {name: _NUMPY_ONLY.format(name) for name in
        ("keras", "tensorflow", "scipy", "torch", "jax", "sklearn", "cnnrnn")}


def expected():
    """Keras' answers on the hidden tests' inputs (computed by the grader, never sent)."""
    import keras
    import numpy as np

    out = {}
    rng = np.random.default_rng(11)
    image, kernel = rng.normal(size=(9, 11)), rng.normal(size=(4, 3))
    layer = keras.layers.Conv2D(1, (4, 3), use_bias=False)
    layer.build((1, 9, 11, 1))
    layer.set_weights([kernel.reshape(4, 3, 1, 1)])
    out["q1_keras"] = keras.ops.convert_to_numpy(layer(image.reshape(1, 9, 11, 1)))[0, :, :, 0]
    cases = {"valid": (21, (2, 7, 6, 3), (3, 2), 4, 1, "valid"),
             "stride2": (22, (3, 9, 8, 2), (3, 3), 5, 2, "valid"),
             "same": (23, (2, 6, 7, 3), (3, 4), 2, 1, "same"),
             "same_stride2": (24, (1, 9, 7, 2), (4, 4), 3, 2, "same")}
    for name, (seed, x_shape, k, filters, stride, padding) in cases.items():
        rng = np.random.default_rng(seed)
        x = rng.normal(size=x_shape)
        layer = keras.layers.Conv2D(filters, k, strides=stride, padding=padding)
        layer.build(x.shape)
        kernel, bias = rng.normal(size=(*k, x_shape[-1], filters)), rng.normal(size=filters)
        layer.set_weights([kernel, bias])
        out[f"q2_{name}"] = keras.ops.convert_to_numpy(layer(x))
    x = np.random.default_rng(31).normal(size=(2, 7, 9, 3))
    out["q3_overlap"] = keras.ops.convert_to_numpy(keras.layers.MaxPooling2D(3, strides=2)(x))
    x = np.random.default_rng(32).normal(size=(3, 5, 5, 2))
    out["q3_leftover"] = keras.ops.convert_to_numpy(keras.layers.MaxPooling2D(2)(x))
    return out


# ---- q1 -----------------------------------------------------------------------------------


def probe_q1(ns):
    import numpy as np

    rng = np.random.default_rng(11)
    image, kernel = rng.normal(size=(9, 11)), rng.normal(size=(4, 3))
    return {
        "shape": lambda: ns["correlate2d"](np.ones((5, 7)), np.ones((3, 2))),
        "small": lambda: ns["correlate2d"](np.arange(9.0).reshape(3, 3), np.array([[1.0, 0.0], [0.0, -1.0]])),
        "keras": lambda: ns["correlate2d"](image.copy(), kernel.copy()),
    }


def _q1_shape(got, expected):
    shape(got["shape"], (3, 6), "correlate2d(ones((5, 7)), ones((3, 2)))")


def _q1_keras(got, expected):
    close(got["keras"], expected["q1_keras"], "correlate2d", rtol=1e-4, atol=1e-4)


def _q1_small(got, expected):
    close(got["small"], [[-4.0, -4.0], [-4.0, -4.0]], "correlate2d(arange(9).reshape(3, 3), kernel)")


# ---- q2 -----------------------------------------------------------------------------------


def probe_q2(ns):
    import numpy as np

    cases = {"valid": (21, (2, 7, 6, 3), (3, 2), 4, 1, "valid"),
             "stride2": (22, (3, 9, 8, 2), (3, 3), 5, 2, "valid"),
             "same": (23, (2, 6, 7, 3), (3, 4), 2, 1, "same"),
             "same_stride2": (24, (1, 9, 7, 2), (4, 4), 3, 2, "same")}
    thunks = {}
    for name, (seed, x_shape, k, filters, stride, padding) in cases.items():
        rng = np.random.default_rng(seed)
        x = rng.normal(size=x_shape)
        kernel, bias = rng.normal(size=(*k, x_shape[-1], filters)), rng.normal(size=filters)
        kwargs = {}
        if stride != 1:
            kwargs["stride"] = stride
        if padding != "valid":
            kwargs["padding"] = padding
        thunks[name] = (lambda x=x, kernel=kernel, bias=bias, kwargs=kwargs:
                        ns["conv2d"](x.copy(), kernel.copy(), bias.copy(), **kwargs))
    return thunks


def _conv(case):
    def check(got, expected):
        close(got[case], expected[f"q2_{case}"], f"conv2d ({case.replace('_', ', ')})", rtol=1e-4, atol=1e-4)

    return check


# ---- q3 -----------------------------------------------------------------------------------


def probe_q3(ns):
    import numpy as np

    x = np.array([[1, 2, 5, 0], [3, 4, 1, 1], [0, 0, 2, 2], [7, 0, 2, 9]], dtype=float).reshape(1, 4, 4, 1)
    overlap = np.random.default_rng(31).normal(size=(2, 7, 9, 3))
    leftover = np.random.default_rng(32).normal(size=(3, 5, 5, 2))
    return {
        "small": lambda: ns["max_pool2d"](x.copy()),
        "overlap": lambda: ns["max_pool2d"](overlap.copy(), pool_size=3, stride=2),
        "leftover": lambda: ns["max_pool2d"](leftover.copy()),
    }


def _q3_small(got, expected):
    close(got["small"], [[[[4.0], [5.0]], [[7.0], [9.0]]]], "max_pool2d of the 4 x 4 example")


def _q3_overlap(got, expected):
    close(got["overlap"], expected["q3_overlap"], "max_pool2d(x, pool_size=3, stride=2)", rtol=1e-5)


def _q3_leftover(got, expected):
    shape(got["leftover"], (3, 2, 2, 2), "max_pool2d of a 5 x 5 input")
    close(got["leftover"], expected["q3_leftover"], "max_pool2d of a 5 x 5 input", rtol=1e-5)


# ---- q4 -----------------------------------------------------------------------------------


def probe_q4(ns):
    return {"shape": lambda: ns["q4_shape"], "params": lambda: ns["q4_params"]}


def _q4_types(got, expected):
    value = got["shape"]
    if not (type(value) is tuple and len(value) == 3 and all(is_int(n) for n in value)):
        raise Fail("q4_shape: a tuple of 3 ints")
    if not is_int(got["params"]):
        raise Fail("q4_params must be an integer")


def _q4_shape(got, expected):
    value = got["shape"]
    assert type(value) in (tuple, list) and tuple(value) == (6, 6, 16)


def _q4_params(got, expected):
    value = got["params"]
    assert type(value) in (int, float) and value == 1216


QUESTIONS = {
    "q1": {"probe": probe_q1, "tests": [
        Test("correlate2d_shape", 1, _q1_shape),
        Test("correlate2d_small_example", 1, _q1_small),
        Test("correlate2d_matches_keras", 1, _q1_keras, hidden=True),
    ]},
    "q2": {"probe": probe_q2, "tests": [
        Test("conv2d_valid_matches_keras", 1, _conv("valid")),
        Test("conv2d_stride_2_valid", 1, _conv("stride2"), hidden=True),
        Test("conv2d_same_padding", 1, _conv("same"), hidden=True),
        Test("conv2d_same_padding_stride_2_odd_sizes", 1, _conv("same_stride2"), hidden=True),
    ]},
    "q3": {"probe": probe_q3, "tests": [
        Test("max_pool2d_small_example", 1, _q3_small),
        Test("max_pool2d_overlapping_windows", 1, _q3_overlap, hidden=True),
        Test("max_pool2d_drops_leftover_rows", 1, _q3_leftover, hidden=True),
    ]},
    "q4": {"probe": probe_q4, "tests": [
        Test("q4_types", 0, _q4_types),
        Test("q4_shape", 1, _q4_shape, hidden=True),
        Test("q4_params", 1, _q4_params, hidden=True),
    ]},
}
