"""Run mode, seeding, quiet logging and the results file.

* ``BOOK_QUICK=1`` selects quick mode: smaller data and fewer epochs so that each chapter
  runs in CI time. Unset (or ``0``), chapters run in full and reach their reference numbers.
* ``BOOK_RESULTS`` is the JSON file that :func:`record` writes headline metrics to.
* In a notebook, :func:`record` also *glues* each metric (MyST-NB's format, hidden), so that a
  page of the book can quote it: ``{glue:text}`../notebooks/11_lstm_gru.ipynb::name:.1%` ``.
"""

from __future__ import annotations

import json
import logging
import os
import random
import warnings
from datetime import datetime, timezone
from pathlib import Path

import numpy as np


def is_quick() -> bool:
    """True when ``BOOK_QUICK`` asks for quick mode ("1", "true" or "yes")."""
    value = os.environ.get("BOOK_QUICK", "").strip().lower()
    if value in ("", "0", "false", "no"):
        return False
    if value in ("1", "true", "yes"):
        return True
    raise ValueError(
        f"BOOK_QUICK={value!r} is not understood: set it to 1 for quick mode "
        "or leave it unset for the full run."
    )


def quick_or_full(quick, full):
    """Return ``quick`` in quick mode and ``full`` otherwise, e.g. ``epochs = quick_or_full(1, 12)``."""
    return quick if is_quick() else full


def seed_from_environment(default: int) -> int:
    """``BOOK_SEED`` if it is set, else ``default``."""
    value = os.environ.get("BOOK_SEED", "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(
            f"BOOK_SEED={value!r} is not an integer: set it to a seed such as 1, "
            "or leave it unset for each chapter's own seed."
        ) from None


def seed_everything(seed: int = 42) -> None:
    """Seed Python's ``random``, NumPy and the Keras backend in one call."""
    import keras

    random.seed(seed)
    np.random.seed(seed)
    keras.utils.set_random_seed(seed)  # also seeds the backend (TensorFlow) generators


def quiet() -> None:
    """Silence TensorFlow/absl log noise and Python warnings that say nothing to a reader."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    logging.getLogger("absl").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", message=".*input_shape.*")  # Keras' Input() advice
    # A model restored from weights alone (KerasTuner's load_model, chapter 24) has a fresh optimizer;
    # Keras warns, for every model, that the saved optimizer state was not loaded: to predict or
    # evaluate it is not needed.
    warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
    # A tf.data.Dataset from cnnrnn.batching draws its own order of batches at every epoch; given
    # one, fit keeps its default shuffle=True (fit_and_evaluate's), and Keras warns that it
    # ignores it, which is what should happen.
    warnings.filterwarnings(
        "ignore", message="`shuffle=True` was passed, but will be ignored", module="keras"
    )
    # Bayesian optimisation (KerasTuner) fits scikit-learn's Gaussian process to a handful of scores;
    # its optimiser warns when a length scale reaches the bound of its range, which is expected with
    # so few points and does no harm.
    warnings.filterwarnings(
        "ignore", message="The optimal value found for dimension", module="sklearn.gaussian_process"
    )


def setup(seed: int = 42) -> str:
    """The one call at the top of each chapter: quiet logs, seed everything, have Keras trace
    each training step once on TensorFlow (:mod:`cnnrnn.tracing`), apply the book's figure style,
    and print one line saying how the chapter runs (mode, seed, Keras and its
    backend, the machine), so that every number below can be read against it.

    ``BOOK_SEED`` replaces the chapter's seed, to measure how much its numbers move from seed to
    seed (``make seeds``). It seeds the models' initial weights, dropout and shuffling; the data
    splits that chapters draw with their own ``np.random.default_rng(0)`` stay the same.
    """
    from cnnrnn.plots import set_style
    from cnnrnn.timing import machine_description
    from cnnrnn.tracing import build_before_tracing

    seed = seed_from_environment(seed)
    quiet()
    seed_everything(seed)
    build_before_tracing()  # TensorFlow: one trace of each training step, not two
    set_style()
    mode = "quick" if is_quick() else "full"
    machine = machine_description()
    _RUN.update(seed=seed, machine=machine)
    print(f"mode: {mode} | seed: {seed} | {machine}")
    return mode


# What setup() said about this run (seed, machine): record() stores it beside every number.
_RUN: dict = {}


def run_seed() -> int:
    """The seed ``setup()`` used: the chapter's own, or ``BOOK_SEED`` when that is set.

    For a chapter that re-seeds before each of several trainings (one per fold, say) and wants
    ``BOOK_SEED`` to move those starts too: seed with ``run_seed() + k``.
    """
    if "seed" not in _RUN:
        raise RuntimeError(
            "run_seed() was called before cnnrnn.setup(): call setup(seed=...) first, "
            "at the top of the chapter."
        )
    return _RUN["seed"]


def _project_root() -> Path | None:
    """The nearest folder at or above the working directory that holds the book's ``_toc.yml``."""
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "_toc.yml").is_file():
            return folder
    return None


def results_path() -> Path:
    """Where :func:`record` writes: ``BOOK_RESULTS`` if set, else ``_build/results-<mode>.json``
    under the project root (or the working directory outside a clone, e.g. in Colab)."""
    if os.environ.get("BOOK_RESULTS"):
        return Path(os.environ["BOOK_RESULTS"]).expanduser()
    base = _project_root() or Path.cwd()
    return base / "_build" / f"results-{'quick' if is_quick() else 'full'}.json"


def load_results(path: str | Path | None = None) -> dict:
    """All recorded metrics: ``{name: {"value": ..., "mode": ..., "recorded": ...}}``."""
    path = Path(path) if path else results_path()
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise ValueError(
            f"The results file {path} is not valid JSON ({err}); delete it and "
            "re-run the chapters that record into it."
        ) from err


def record(name: str, value, *, threshold=None, higher_is_better: bool = True, **details) -> None:
    """Record one headline metric, e.g. ``record("mnist_cnn_test_accuracy", acc)``.

    The value is stored with the run mode and a UTC timestamp; extra keyword arguments (units,
    dataset, epochs, ...) are stored beside it. Re-recording a name replaces its entry.

    ``threshold`` is the number the chapter's ``assert`` holds the value to, given from the same
    expression the assert uses; ``higher_is_better=False`` where the assert is an upper bound (a
    loss, an error, seconds). ``reference=`` and ``source=`` name a published number the value is
    compared with and where it comes from (``source="Kim 2014, Table 2"``). The results page
    shows them, and the margin by which the value clears its threshold. With no threshold
    (``threshold=None``, in a loop where only some values have one) no direction is stored.
    """
    details = {key: _plain(detail) for key, detail in details.items()}
    value = _plain(value)
    if not isinstance(value, (int, float, str, bool)):
        raise TypeError(f"record({name!r}, ...) takes a number or a string, not {type(value).__name__}")
    if threshold is not None:
        threshold = _plain(threshold)
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
            raise TypeError(f"record({name!r}, ..., threshold=...) takes a number, not {threshold!r}")
        details.update(threshold=threshold, higher_is_better=bool(higher_is_better))
    path = results_path()
    results = load_results(path)
    results[name] = {
        "value": value,
        "mode": "quick" if is_quick() else "full",
        "recorded": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        **_RUN,
        **details,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(results, indent=1, sort_keys=True))
    tmp.replace(path)  # atomic: a crash never leaves half a file
    _glue(name, value)


def _plain(value):
    """A NumPy scalar as the Python number it holds (JSON takes those); anything else unchanged."""
    return value.item() if isinstance(value, np.generic) else value


# MyST-NB's glue format (``myst_nb.glue(name, value, display=False)``), written here so that a
# chapter does not need myst-nb installed (in Colab, say). The book's pages paste these values.
GLUE_PREFIX = "application/papermill.record/"


def _glue(name: str, value) -> None:
    """Store ``value`` under ``name`` in the running notebook's outputs, invisibly; no-op outside IPython."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return
    if get_ipython() is None:
        return
    display(
        {GLUE_PREFIX + "text/plain": repr(value)},
        raw=True,
        metadata={"scrapbook": {"name": name, "mime_prefix": GLUE_PREFIX}},
    )
