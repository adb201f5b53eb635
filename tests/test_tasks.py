import numpy as np

from cnnrnn.tasks import adding_problem


def test_adding_problem_marks_one_step_in_each_half_and_sums_them():
    x, y = adding_problem(200, 30, np.random.default_rng(0))
    assert x.shape == (200, 30, 2) and y.shape == (200,)
    assert x.dtype == np.float32 and y.dtype == np.float32
    markers = x[..., 1]
    assert (markers[:, :15].sum(axis=1) == 1).all() and (markers[:, 15:].sum(axis=1) == 1).all()
    np.testing.assert_allclose(y, (x[..., 0] * markers).sum(axis=1), rtol=1e-6)
    assert (0 <= x[..., 0]).all() and (x[..., 0] < 1).all()


def test_adding_problem_is_reproducible_from_its_generator():
    a = adding_problem(5, 10, np.random.default_rng(3))
    b = adding_problem(5, 10, np.random.default_rng(3))
    for first, second in zip(a, b, strict=True):
        np.testing.assert_array_equal(first, second)
