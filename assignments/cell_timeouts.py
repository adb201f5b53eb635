"""Per-cell time limits for Otter's grading run (otter-grader 7.0.0 has none of its own).

Otter executes a submission with nbconvert's ``ExecutePreprocessor`` and no time limit, so one cell
that never returns (``while True: pass``) stops the grading of the whole submission. ``install()``
replaces that preprocessor with one that gives every cell a limit and, when a cell passes it,
interrupts the kernel (the cell fails with ``KeyboardInterrupt``) and goes on with the next cell.
The questions whose code did run are still graded.

Two limits: ``student_seconds`` for the cells of the notebook, and ``grader_seconds`` for the cells
that only set up or run Otter's checks (``import otter``, ``grader = otter.Notebook(...)``,
``grader.check(...)`` and the cells Otter adds before and after the notebook), which import the
tests' own libraries and must not be cut short.

This file has no dependency beyond nbconvert: ``make assignments`` also copies it into each
autograder zip, whose ``run_otter.py`` calls ``install()`` before grading (e.g. on Gradescope).
"""

from __future__ import annotations

import re

STUDENT_SECONDS = 300
GRADER_SECONDS = 600

# A cell that does nothing but set up or call the grader: `import otter`,
# `grader = otter.Notebook(...)`, `grader.check("q1")`, Otter's own check cells
# (`notebook_abc123().check("q1")`), its initialisation cell and its final export cell.
_GRADER_LINE = re.compile(
    r"""^\s*(import otter"""
    r"""|grader = otter\.Notebook\([^()]*\)"""
    r"""|(grader|notebook_\w+\(\))\.check(_all)?\(\s*(["'][\w.-]+["'])?\s*\))\s*$"""
)
_OTTER_CELL_MARKERS = ("init_grading_mode(", "Checker.check_if_not_already_checked(")


def is_grader_cell(source: str) -> bool:
    """True when a cell only runs Otter (check calls, Otter's set-up and result cells)."""
    if any(marker in source for marker in _OTTER_CELL_MARKERS):
        return True
    lines = [line for line in source.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return bool(lines) and all(_GRADER_LINE.match(line) for line in lines)


def install(student_seconds: float = STUDENT_SECONDS, grader_seconds: float = GRADER_SECONDS) -> None:
    """Make every later Otter grading run in this process use per-cell time limits."""
    from nbconvert import preprocessors

    base = getattr(preprocessors.ExecutePreprocessor, "_untimed", preprocessors.ExecutePreprocessor)

    def timeout_for(cell) -> int:
        seconds = grader_seconds if is_grader_cell(cell.source) else student_seconds
        return max(1, int(seconds))

    class TimedExecutePreprocessor(base):
        _untimed = base

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.timeout_func = timeout_for
            self.interrupt_on_timeout = True  # fail the cell, keep the kernel, run the next cell

    # otter.execute.grade_notebook imports ExecutePreprocessor from this module at call time.
    preprocessors.ExecutePreprocessor = TimedExecutePreprocessor
