"""pytest glue for the notebooks.

Each notebook is executed once per test run, by nbval. This file keeps what that run produced so
that the book can be built from it without executing anything again:

* every notebook whose cells all pass is written with its outputs to ``_build/executed/``, stamped
  with the SHA-256 of its source so that a stale copy is never used;
* each notebook's wall time (kernel start to kernel shutdown) goes to ``_build/executed/timings.json``;
* tests run in the order unit tests -> notebooks -> book build (marked ``book``).
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent
# The Keras backend the chapters run on in this session (make test runs them on TensorFlow, then
# again on JAX). Each backend's executed chapters and times go to a folder of their own; the book
# is built from TensorFlow's.
BACKEND = os.environ.get("KERAS_BACKEND", "tensorflow")
EXECUTED_DIR = ROOT / "_build" / ("executed" if BACKEND == "tensorflow" else f"executed-{BACKEND}")
TIMINGS_FILE = EXECUTED_DIR / "timings.json"
QUICK_TARGET_SECONDS = 30  # per chapter in quick mode, kernel start included (README)


def source_sha256(notebook: Path) -> str:
    return hashlib.sha256(notebook.read_bytes()).hexdigest()


def _is_notebook_cell(item) -> bool:
    return item.path.suffix == ".ipynb" and hasattr(item, "test_outputs")


def pytest_collection_modifyitems(items):
    def rank(item):
        if item.get_closest_marker("book"):
            return 2
        return 1 if item.path.suffix == ".ipynb" else 0

    items.sort(key=rank)  # stable: keeps file and cell order within each group


_runs: dict[Path, dict] = {}  # notebook path -> {"start", "failed", "outputs"}
_timed: dict[str, dict] = {}  # notebook name -> {"seconds", "passed"}, for this run only


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    notebook = item.path if item.path.suffix == ".ipynb" else None
    if notebook is not None and notebook not in _runs:
        _runs[notebook] = {"start": time.perf_counter(), "failed": False, "outputs": {}}
    yield
    if notebook is None or (nextitem is not None and nextitem.path == notebook):
        return
    # The notebook's last cell has run and its kernel has been shut down.
    run = _runs.pop(notebook)
    seconds = time.perf_counter() - run["start"]
    EXECUTED_DIR.mkdir(parents=True, exist_ok=True)
    timings = json.loads(TIMINGS_FILE.read_text()) if TIMINGS_FILE.exists() else {}
    timings[notebook.name] = _timed[notebook.name] = {"seconds": round(seconds, 1),
                                                      "passed": not run["failed"]}
    TIMINGS_FILE.write_text(json.dumps(timings, indent=1, sort_keys=True))
    target = EXECUTED_DIR / notebook.name
    target.unlink(missing_ok=True)
    if not run["failed"]:
        _write_executed(item.parent.nb, run["outputs"], notebook, target)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    run = _runs.get(item.path)
    if run is None:
        return
    if report.failed:
        run["failed"] = True
    if call.when == "call" and _is_notebook_cell(item) and item.test_outputs is not None:
        run["outputs"][id(item.cell)] = item.test_outputs


def _write_executed(nb, outputs_by_cell: dict, source: Path, target: Path) -> None:
    executed = copy.deepcopy(nb)
    count = 0
    for original, cell in zip(nb.cells, executed.cells, strict=True):
        if cell.cell_type != "code":
            continue
        count += 1
        cell.execution_count = count
        cell.outputs = [_as_output(out) for out in outputs_by_cell.get(id(original), [])]
    executed.metadata["cnnrnn"] = {"source_sha256": source_sha256(source)}
    nbformat.write(executed, target)


def _as_output(out) -> nbformat.NotebookNode:
    """nbval's record of one output, as a valid nbformat output."""
    kind = out["output_type"]
    if kind == "stream":
        return nbformat.v4.new_output("stream", name=out["name"], text=out["text"])
    if kind == "execute_result":
        return nbformat.v4.new_output("execute_result", data=out["data"],
                                      metadata=out.get("metadata", {}),
                                      execution_count=out.get("execution_count"))
    return nbformat.v4.new_output(kind, data=out.get("data", {}), metadata=out.get("metadata", {}))


def pytest_terminal_summary(terminalreporter):
    """The quick-mode benchmark: each chapter's wall time in this run against the target, so that
    speed is reported on every run (the test only gates gross regressions: tests/test_book.py)."""
    if not _timed:
        return
    timings = _timed
    from cnnrnn.timing import cpu_description

    write = terminalreporter.write_line
    terminalreporter.section(f"chapter times in this run ({BACKEND}, {cpu_description()})")
    if os.environ.get("BOOK_TIMES_SHARED"):  # make test runs its two passes at once
        write(f"(run alongside {os.environ['BOOK_TIMES_SHARED']}: each time includes its load; "
              "make test TEST_PARALLEL=0 gives each chapter's own)")
    for name, entry in sorted(timings.items()):
        over = "  over the target" if entry["seconds"] > QUICK_TARGET_SECONDS else ""
        write(f"{name:34} {entry['seconds']:6.1f} s{'' if entry['passed'] else '  FAILED'}{over}")
    write(f"{'total':34} {sum(e['seconds'] for e in timings.values()):6.1f} s "
          f"(target: {QUICK_TARGET_SECONDS} s a chapter)")
