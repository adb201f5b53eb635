"""Bring every chapter notebook in line with the book's settings. Idempotent: run it any time.

    .venv/bin/python tools/sync_notebooks.py            # rewrite notebooks/*.ipynb in place
    .venv/bin/python tools/sync_notebooks.py --check    # list what would change; exit 1 if any
    .venv/bin/python tools/sync_notebooks.py PATH ...   # only these notebooks

(`make sync-notebooks` runs the first form.) What it does to each notebook:

1. **The Colab cell follows the repository setting.** The first code cell is written in the
   book's one form (STYLE.md), two lines under its ``if``: ``%pip install -q [extras]
   git+<repository URL>``, with the URL from ``repository.url`` in ``_config.yml`` (the launch
   and repository buttons use the same setting) and any extra packages the chapter installed kept.
2. **Set-up and bookkeeping cells are folded.** The Colab cell, and every code cell that only
   records results (``record(...)`` / ``cnnrnn.record(...)`` calls, comments aside), get the
   ``hide-input`` tag: the built book shows a "Show code cell source" toggle in their place, so
   the reader sees the lesson; the cells still run. A cell with an ``assert`` is a claim, and the
   reader sees every claim: it is never folded.

A notebook is written only when something changed, with nbformat's usual layout.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
HIDE_TAG = "hide-input"
# A pip requirement that installs from a GitHub repository: git+https://github.com/OWNER/REPO
GIT_URL = re.compile(r"git\+https://github\.com/[\w.-]+/[\w.-]+?(?:\.git)?(?=[\"'\s@#]|$)")


def repository_url(config_path: Path = ROOT / "_config.yml") -> str:
    url = yaml.safe_load(config_path.read_text())["repository"]["url"].rstrip("/")
    if not re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", url):
        raise SystemExit(f"{config_path}: repository.url must be https://github.com/OWNER/REPO, "
                         f"not {url!r}")
    return url


def is_colab_cell(cell) -> bool:
    return cell.cell_type == "code" and "google.colab" in cell.source


COLAB_CELL = """# Colab set-up: install the course's helper package (elsewhere: nothing).
import sys

if "google.colab" in sys.modules:
    %pip install -q {packages}"""
_NOT_PACKAGES = {"-m", "pip", "install", "-q", "%pip", "sys.executable"}


def colab_packages(source: str, url: str) -> list[str]:
    """What a Colab cell installs besides the course's package, in either of its two forms
    (``subprocess.run([sys.executable, "-m", "pip", "install", ...])`` or ``%pip install ...``)."""
    if "%pip install" in source:
        words = source.split("%pip install", 1)[1].split()
    else:
        words = re.findall(r"[\"']([^\"']+)[\"']", source.split("subprocess.run(", 1)[-1])
    return [w for w in words if w not in _NOT_PACKAGES and not GIT_URL.fullmatch(w)
            and not w.startswith("git+")]


def colab_cell(source: str, url: str) -> str:
    return COLAB_CELL.format(packages=" ".join([*colab_packages(source, url), f"git+{url}"]))


def is_bookkeeping_cell(cell) -> bool:
    """Only ``record(...)`` calls (a cell with an ``assert`` is a claim, shown to the reader)."""
    if cell.cell_type != "code":
        return False
    try:
        statements = ast.parse(cell.source).body
    except SyntaxError:  # IPython magics and the like: leave the cell alone
        return False

    def is_record(statement) -> bool:
        if not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)):
            return False
        function = statement.value.func
        name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
        return name == "record"

    return bool(statements) and all(is_record(s) for s in statements)


def _tag(cell, tag: str) -> bool:
    tags = cell.metadata.setdefault("tags", [])
    if tag in tags:
        return False
    tags.append(tag)
    return True


def sync(nb, url: str) -> list[str]:
    """Apply the book's settings to one notebook in place; return what changed, in words."""
    changes = []
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    if code and is_colab_cell(code[0]):
        colab = code[0]
        source = colab_cell(colab.source, url)
        if source != colab.source:
            colab.source = source
            changes.append(f"Colab cell rewritten: installs from git+{url}")
        if _tag(colab, HIDE_TAG):
            changes.append(f"Colab cell tagged {HIDE_TAG}")
    for index, cell in enumerate(nb.cells):
        if is_bookkeeping_cell(cell) and _tag(cell, HIDE_TAG):
            changes.append(f"cell {index} (record only) tagged {HIDE_TAG}")
    return changes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to sync (default: notebooks/*.ipynb)")
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if a notebook is out of sync")
    parser.add_argument("--config", type=Path, default=ROOT / "_config.yml")
    args = parser.parse_args(argv)
    url = repository_url(args.config)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    out_of_sync = 0
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        changes = sync(nb, url)
        if not changes:
            continue
        out_of_sync += 1
        for change in changes:
            print(f"{path.name}: {change}")
        if not args.check:
            nbformat.write(nb, path)
    verb = "out of sync" if args.check else "updated"
    print(f"{out_of_sync} of {len(paths)} notebooks {verb}")
    return 1 if args.check and out_of_sync else 0


if __name__ == "__main__":
    sys.exit(main())
