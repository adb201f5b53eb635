"""cnnrnn.benchmark: chapter 22's harness, which chapter 26 reuses.

Its functions are checked equal to chapter 22's by test_taught_once; its constants and the
``BODIES`` table are not functions, so they are checked here, as syntax trees, against the
assignments in chapter 22's cells.
"""

import ast
import inspect
import json
from pathlib import Path

import numpy as np
import pytest

from cnnrnn import benchmark

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = ROOT / "notebooks" / "22_table_measured.ipynb"
SHARED = ("FEATURES", "BATCH", "KERNEL", "DILATIONS", "TCN_FILTERS", "BODIES", "RECURRENT")


def _assigned(source: str) -> dict[str, str]:
    """name -> ast.dump of the value, for every top-level `name = value` (tuples unpacked)."""
    found = {}
    for node in ast.parse(source).body:
        if not isinstance(node, ast.Assign) or len(node.targets) != 1:
            continue
        target, value = node.targets[0], node.value
        if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple):
            pairs = zip(target.elts, value.elts, strict=True)
        else:
            pairs = [(target, value)]
        for name, expression in pairs:
            if isinstance(name, ast.Name):
                found[name.id] = ast.dump(expression)
    return found


def _chapter_assignments() -> dict[str, str]:
    found = {}
    for cell in json.loads(CHAPTER.read_text())["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "code" and not source.lstrip().startswith("%"):
            try:
                found.update(_assigned(source))
            except SyntaxError:  # a cell with IPython magics: no constants there
                pass
    return found


@pytest.mark.parametrize("name", SHARED)
def test_constants_match_chapter_22(name):
    chapter = _chapter_assignments()
    package = _assigned(inspect.getsource(benchmark))
    assert name in chapter, f"chapter 22 no longer assigns {name}: update cnnrnn.benchmark"
    assert chapter[name] == package[name], (
        f"{name} differs between chapter 22 and cnnrnn.benchmark: change one to match the other")


@pytest.mark.parametrize("name", list(benchmark.BODIES))
def test_five_models_have_equal_budgets_and_accept_any_length(name):
    model = benchmark.build(name)
    assert 4_000 < model.count_params() < 6_500, model.count_params()
    for length in (7, 40):
        x = np.zeros((2, length, benchmark.FEATURES), "float32")
        assert tuple(model(x).shape) == (2, 1)


def test_time_training_gives_one_row_per_model_and_length(monkeypatch):
    monkeypatch.setattr(benchmark, "training_memory", lambda model, x, y: 2e6)
    models = {name: benchmark.build(name) for name in ("LSTM", "Conv1D")}
    for model in models.values():
        model.compile(optimizer="adam", loss="mse")
    speed = benchmark.time_training(models, (5, 9), 1, np.random.default_rng(0))
    assert list(speed.columns) == ["model", "T", "seconds per step", "peak MB"]
    assert sorted(zip(speed["model"], speed["T"], strict=True)) == sorted(
        (name, length) for name in models for length in (5, 9))
    assert (speed["seconds per step"] > 0).all() and (speed["peak MB"] == 2.0).all()


def test_time_training_refuses_no_repeats():
    models = {"LSTM": benchmark.build("LSTM")}
    models["LSTM"].compile(optimizer="adam", loss="mse")
    with pytest.raises(ValueError, match="repeats"):
        benchmark.time_training(models, (5,), 0, np.random.default_rng(0))
