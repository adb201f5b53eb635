"""The Makefile's backend switch: `make book KERAS_BACKEND=jax` builds apart from TensorFlow's book."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _dry_run(*args):
    return subprocess.run(["make", "-n", "book", *args], cwd=ROOT, capture_output=True, text=True)


def test_another_backend_builds_into_its_own_folder_and_results_file():
    out = _dry_run("KERAS_BACKEND=jax").stdout
    assert "--path-output _build/jax" in out, out
    assert "_build/jax/results-full.json" in out, out


def test_tensorflow_builds_where_it_always_did():
    out = _dry_run("KERAS_BACKEND=tensorflow").stdout
    assert "--path-output" not in out, out
    assert "/_build/results-full.json" in out, out


def test_an_unknown_backend_is_refused_with_the_choices():
    run = _dry_run("KERAS_BACKEND=theano")
    assert run.returncode != 0
    assert "use one of tensorflow jax torch" in run.stderr, run.stderr
