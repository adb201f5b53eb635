"""A piece of code is taught once, in a chapter, and then reused from ``cnnrnn`` (STYLE.md).

The chapter that teaches a function marks its definition with ``# saved as cnnrnn.module.name``
on the line above the ``def``; the package's copy says ``# saved from chapter NN``. This test
checks that the two are the same code (compared as syntax trees, so formatting and comments may
differ: the book's code column is narrower than the package's), and that every package function
saved from a chapter is marked there, so a reader always finds the lesson the package repeats.

Constants are not functions: a package module that shares a chapter's module-level constants
declares them as ``CONSTANTS_FROM = ("NN_chapter", ("NAME", ...))``, and each is checked, as a
syntax tree, against the chapter's assignment (a ``quick_or_full(...)`` call compares as the call,
which the package evaluates when it is imported).
"""

import ast
import importlib
import inspect
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
MARK = re.compile(r"^# saved as (cnnrnn(?:\.\w+)+)\.(\w+)\s*$", re.M)
PACKAGE_MARK = re.compile(r"^# saved from chapter (\d\d)\b.*\n(?:def|class) (\w+)", re.M)


def _definition(source: str, name: str) -> ast.AST:
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name == name:
            return node
    raise LookupError(name)


def _marked_in_notebooks():
    found = []
    for notebook in NOTEBOOKS:
        for cell in json.loads(notebook.read_text())["cells"]:
            source = "".join(cell["source"])
            if cell["cell_type"] == "code":
                found += [(notebook, module, name, source) for module, name in MARK.findall(source)]
    return found


def _saved_in_package():
    saved = []
    for path in sorted((ROOT / "cnnrnn").glob("*.py")):
        for chapter, name in PACKAGE_MARK.findall(path.read_text()):
            saved.append((f"cnnrnn.{path.stem}", name, chapter))
    return saved


@pytest.mark.parametrize("notebook, module, name, source", _marked_in_notebooks(),
                         ids=lambda v: v.name if isinstance(v, Path) else "")
def test_the_chapters_copy_is_the_packages(notebook, module, name, source):
    ours = _definition(source, name)
    theirs = _definition(inspect.getsource(importlib.import_module(module)), name)
    assert ast.dump(ours) == ast.dump(theirs), (
        f"{notebook.name} teaches {name}() and marks it as saved in {module}, but the two differ: "
        f"change one to match the other")


def test_every_saved_function_is_taught_in_its_chapter():
    marked = {(module, name, notebook.name[:2]) for notebook, module, name, _ in _marked_in_notebooks()}
    missing = [f"{module}.{name} (chapter {chapter})" for module, name, chapter in _saved_in_package()
               if (module, name, chapter) not in marked]
    assert not missing, ("these package functions say they are saved from a chapter that does not "
                         f"mark them with '# saved as ...': {missing}")


def _assigned(source: str) -> dict[str, list[str]]:
    """name -> ast.dump of each value it is given by a top-level `name = value` (tuples unpacked)."""
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
                found.setdefault(name.id, []).append(ast.dump(expression))
    return found


def _chapter_assignments(chapter: str) -> dict[str, list[str]]:
    found = {}
    notebook = ROOT / "notebooks" / f"{chapter}.ipynb"
    for cell in json.loads(notebook.read_text())["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] != "code" or source.lstrip().startswith("%"):
            continue
        try:
            assigned = _assigned(source)
        except SyntaxError:  # a cell with IPython magics: no constants there
            continue
        for name, values in assigned.items():
            found.setdefault(name, []).extend(values)
    return found


def _declared_constants():
    """(module, chapter, name) for every name in a package module's CONSTANTS_FROM."""
    declared = []
    for path in sorted((ROOT / "cnnrnn").glob("*.py")):
        for node in ast.parse(path.read_text()).body:
            if (isinstance(node, ast.Assign) and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name)
                    and node.targets[0].id == "CONSTANTS_FROM"):
                chapter, names = ast.literal_eval(node.value)
                declared += [(f"cnnrnn.{path.stem}", chapter, name) for name in names]
    return declared


def test_modules_sharing_constants_declare_them():
    modules = {module for module, _, _ in _declared_constants()}
    assert {"cnnrnn.benchmark", "cnnrnn.mr", "cnnrnn.pm25"} <= modules, modules


@pytest.mark.parametrize("module, chapter, name", _declared_constants(),
                         ids=lambda v: v.removeprefix("cnnrnn."))
def test_the_chapters_constants_are_the_packages(module, chapter, name):
    ours = _chapter_assignments(chapter)
    theirs = _assigned(inspect.getsource(importlib.import_module(module)))
    assert name in ours, f"{chapter} no longer assigns {name}: update {module}"
    assert len(theirs.get(name, [])) == 1, f"{module} should assign {name} once"
    assert set(ours[name]) == set(theirs[name]), (
        f"{name} differs between {chapter} and {module}: change one to match the other")
