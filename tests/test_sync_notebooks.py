"""tools/sync_notebooks.py on a small temporary notebook: the Colab cell follows _config.yml's
repository URL, set-up and bookkeeping cells are folded, and a second run changes nothing."""

import importlib.util
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("sync_notebooks", ROOT / "tools" / "sync_notebooks.py")
sync_notebooks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sync_notebooks)

COLAB = '''# Colab set-up: install the course's helper package (elsewhere: nothing).
import sys

if "google.colab" in sys.modules:
    import subprocess

    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "keras-tuner",
            "git+https://github.com/REPLACE-WITH-OWNER/convolution-and-recurrence",
        ],
        check=True,
    )'''


@pytest.fixture
def book(tmp_path):
    config = tmp_path / "_config.yml"
    config.write_text("repository:\n  url: https://github.com/someone/convolution-and-recurrence\n")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# A chapter"),
        nbformat.v4.new_code_cell(COLAB),
        nbformat.v4.new_code_cell("from cnnrnn import record, setup\n\nsetup()"),
        nbformat.v4.new_code_cell("accuracy = 0.99\nrecord('accuracy', accuracy)"),
        nbformat.v4.new_code_cell("# The claim.\nassert accuracy > 0.9, accuracy\nrecord('acc', accuracy)"),
        nbformat.v4.new_code_cell("cnnrnn.record('x', 1)"),
        nbformat.v4.new_code_cell("assert True"),
        nbformat.v4.new_code_cell("%timeit record('x', 1)"),
    ]
    path = tmp_path / "01_chapter.ipynb"
    nbformat.write(nb, path)
    return config, path


def _tags(path):
    return [cell.metadata.get("tags", []) for cell in nbformat.read(path, as_version=4).cells]


def test_sync_rewrites_the_colab_url_and_folds_bookkeeping_cells(book, capsys):
    config, path = book
    assert sync_notebooks.main(["--config", str(config), str(path)]) == 0
    cells = nbformat.read(path, as_version=4).cells
    assert cells[1].source.endswith(
        '\nif "google.colab" in sys.modules:\n'
        "    %pip install -q keras-tuner git+https://github.com/someone/convolution-and-recurrence")
    assert "REPLACE-WITH-OWNER" not in cells[1].source
    hidden = ["hide-input"]
    # Colab cell and the record-only cell folded; lesson code, claims (asserts, with or without
    # a record) and a magic left alone: the reader sees every claim.
    assert _tags(path) == [[], hidden, [], [], [], hidden, [], []]


def test_sync_is_idempotent_and_check_reports_drift(book, capsys):
    config, path = book
    assert sync_notebooks.main(["--check", "--config", str(config), str(path)]) == 1
    assert _tags(path)[1] == []  # --check changes nothing
    sync_notebooks.main(["--config", str(config), str(path)])
    first = path.read_bytes()
    assert sync_notebooks.main(["--config", str(config), str(path)]) == 0
    assert path.read_bytes() == first
    assert sync_notebooks.main(["--check", "--config", str(config), str(path)]) == 0
    assert "0 of 1 notebooks out of sync" in capsys.readouterr().out


def test_sync_rejects_a_repository_url_that_is_not_a_github_repository(book):
    config, path = book
    config.write_text("repository:\n  url: https://example.org/book\n")
    with pytest.raises(SystemExit, match="OWNER/REPO"):
        sync_notebooks.main(["--config", str(config), str(path)])


def test_the_notebooks_colab_cells_follow_the_config_after_a_sync(tmp_path):
    # The real notebooks: after a sync, every Colab cell installs from _config.yml's URL.
    url = sync_notebooks.repository_url()
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(notebook, as_version=4)
        sync_notebooks.sync(nb, url)
        first_code = next(c for c in nb.cells if c.cell_type == "code")
        assert f"git+{url}" in first_code.source, notebook.name
        assert "hide-input" in first_code.metadata["tags"], notebook.name
