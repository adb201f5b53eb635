"""Static checks of the committed notebooks: stripped, listed, and shaped like a chapter.

(The notebooks themselves are executed by nbval: `pytest` collects notebooks/ with --nbval-lax.)
"""

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())


def _toc_files(node) -> list[str]:
    if isinstance(node, dict):
        return ([node["file"]] if "file" in node else []) + [
            f for value in node.values() for f in _toc_files(value)]
    if isinstance(node, list):
        return [f for value in node for f in _toc_files(value)]
    return []


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ has no chapters"


def test_every_notebook_is_in_the_table_of_contents_and_back():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    listed = [toc["root"], *_toc_files(toc["parts"])]
    assert sorted(f for f in listed if f.startswith("notebooks/")) == [
        f"notebooks/{nb.stem}" for nb in NOTEBOOKS]
    for entry in listed:
        assert (ROOT / f"{entry}.md").exists() or (ROOT / f"{entry}.ipynb").exists(), entry


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_stripped(path):
    nb = nbformat.read(path, as_version=4)
    dirty = [i for i, c in enumerate(nb.cells)
             if c.cell_type == "code" and (c.outputs or c.execution_count is not None)]
    assert not dirty, (f"{path.name}: cells {dirty} have outputs or execution counts; strip them "
                       "with: .venv/bin/jupyter nbconvert --clear-output --inplace " + path.name)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_shaped_like_a_chapter(path):
    nb = nbformat.read(path, as_version=4)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    assert re.search(r"^## (What you will learn|Learning objectives)", markdown, re.M)
    assert re.search(r"^## Summary", markdown, re.M)
    assert re.search(r"^## Exercises", markdown, re.M)
    exercises = re.findall(r"```\{exercise\}", markdown)
    solutions = re.findall(r"```\{solution\}[^\n]*\n:class: dropdown", markdown)
    assert len(exercises) >= 3 and len(solutions) == len(exercises)
    assert "google.colab" in code[0], "the first code cell must be the Colab set-up"
    assert any("setup(" in source for source in code), "a chapter seeds with cnnrnn.setup()"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_colab_cell_installs_from_the_books_repository(path):
    first_code = next(c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
    assert f"git+{CONFIG['repository']['url']}" in first_code.source


def test_notebooks_are_in_sync_with_the_books_settings():
    """The Colab cells follow _config.yml and set-up cells are folded (tools/sync_notebooks.py)."""
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "sync_notebooks.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, f"run 'make sync-notebooks':\n{result.stdout}{result.stderr}"
