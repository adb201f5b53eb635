import json

import numpy as np
import pytest

import cnnrnn
from cnnrnn import config


@pytest.mark.parametrize("value, quick", [("1", True), ("true", True), ("", False), ("0", False)])
def test_mode_follows_book_quick(monkeypatch, value, quick):
    monkeypatch.setenv("BOOK_QUICK", value)
    assert config.is_quick() is quick
    assert config.quick_or_full("q", "f") == ("q" if quick else "f")


def test_unknown_book_quick_value_is_an_error(monkeypatch):
    monkeypatch.setenv("BOOK_QUICK", "fast")
    with pytest.raises(ValueError, match="BOOK_QUICK='fast'"):
        config.is_quick()


def test_seed_everything_makes_numpy_and_keras_repeatable():
    import keras

    def draw():
        config.seed_everything(7)
        return np.random.rand(3), keras.ops.convert_to_numpy(keras.random.normal((3,)))

    (np_a, keras_a), (np_b, keras_b) = draw(), draw()
    np.testing.assert_array_equal(np_a, np_b)
    np.testing.assert_array_equal(keras_a, keras_b)


def test_record_writes_and_replaces_metrics(tmp_path, monkeypatch):
    results = tmp_path / "sub" / "results.json"
    monkeypatch.setenv("BOOK_RESULTS", str(results))
    monkeypatch.setenv("BOOK_QUICK", "1")
    cnnrnn.record("acc", np.float32(0.5), dataset="MNIST")
    cnnrnn.record("acc", 0.75)
    cnnrnn.record("loss", 1)
    stored = json.loads(results.read_text())
    assert stored["acc"]["value"] == 0.75 and stored["acc"]["mode"] == "quick"
    assert "dataset" not in stored["acc"] and stored["loss"]["value"] == 1
    assert config.load_results(results) == stored


def test_record_refuses_arrays(tmp_path, monkeypatch):
    monkeypatch.setenv("BOOK_RESULTS", str(tmp_path / "r.json"))
    with pytest.raises(TypeError, match="takes a number"):
        cnnrnn.record("curve", np.arange(3))


def test_default_results_file_is_under_the_project_build_folder(tmp_path, monkeypatch):
    (tmp_path / "_toc.yml").write_text("root: intro\n")
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")
    monkeypatch.delenv("BOOK_RESULTS", raising=False)
    monkeypatch.delenv("BOOK_QUICK", raising=False)
    assert config.results_path() == tmp_path / "_build" / "results-full.json"


def test_corrupt_results_file_is_reported(tmp_path):
    bad = tmp_path / "r.json"
    bad.write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        config.load_results(bad)


def test_record_glues_the_value_for_the_book_in_a_notebook(tmp_path, monkeypatch):
    """Inside IPython, record() also emits MyST-NB glue data (hidden) under the metric's name."""
    import IPython
    import IPython.display
    from myst_nb.core.variables import format_plain_text

    shown = []
    monkeypatch.setattr(IPython, "get_ipython", lambda: object())
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: shown.append((a, k)))
    monkeypatch.setenv("BOOK_RESULTS", str(tmp_path / "r.json"))
    cnnrnn.record("acc", np.float32(0.875))
    (bundle,), options = shown[0]
    assert options["metadata"]["scrapbook"] == {"name": "acc", "mime_prefix": config.GLUE_PREFIX}
    # The book pastes it with {glue:text}`chapter.ipynb::acc:.1%`.
    assert format_plain_text(bundle[config.GLUE_PREFIX + "text/plain"], ".1%") == "87.5%"


def test_record_does_not_glue_outside_ipython(tmp_path, monkeypatch):
    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: pytest.fail("displayed"))
    monkeypatch.setenv("BOOK_RESULTS", str(tmp_path / "r.json"))
    cnnrnn.record("acc", 0.5)


def test_run_seed_is_book_seed_when_set_and_the_chapter_seed_otherwise(monkeypatch):
    monkeypatch.setattr(config, "_RUN", {})
    with pytest.raises(RuntimeError, match="before cnnrnn.setup"):
        config.run_seed()
    monkeypatch.delenv("BOOK_SEED", raising=False)
    config.setup(seed=42)
    assert cnnrnn.run_seed() == 42
    monkeypatch.setenv("BOOK_SEED", "7")
    config.setup(seed=42)
    assert cnnrnn.run_seed() == 7
