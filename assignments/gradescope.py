"""Gradescope's entry point: grade the submission with ``grade.py``, write ``results.json``.

``make assignments`` writes, for each assignment, ``<name>-gradescope.zip``: this file,
``grade.py``, ``sandbox.py``, ``grading_tools.py`` and ``cell_timeouts.py`` as they are here,
the assignment's autograder zip and its checksum (the very zip ``grade.py`` grades with
locally), ``run_autograder``, ``setup.sh`` and ``environment.yml``. On Gradescope,
``run_autograder`` runs

    python /autograder/source/gradescope.py

which grades the notebook in ``/autograder/submission`` exactly as ``grade.py`` does locally
(sandbox, probes, tests in a fresh process on plain values) and writes
``/autograder/results/results.json`` in Gradescope's format: the score, and per question one
box with the public tests' results and what happened in its cells (shown at once) and one with
the hidden tests' (shown once the grades are published). ``--root`` grades a copy of that
layout elsewhere (the tests do, with the course's ``.venv``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import grade  # noqa: E402

# Gradescope stops an autograder after its own limit (10 minutes unless raised in the
# assignment's settings): stop grading first, so that the questions graded so far are kept.
TIMEOUT = 540
HIDDEN_VISIBILITY = "after_published"


def find_submission(folder: Path, name: str) -> Path:
    """The notebook to grade: ``<name>.ipynb`` if it was handed in, else the only notebook."""
    notebooks = sorted(p for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    named = [p for p in notebooks if p.name == f"{name}.ipynb"]
    if named:
        return named[0]
    if len(notebooks) == 1:
        return notebooks[0]
    found = ", ".join(p.name for p in notebooks) or "none"
    raise FileNotFoundError(f"Hand in one notebook, {name}.ipynb (found: {found}).")


def results_json(result: dict) -> dict:
    """``grade.grade``'s result in Gradescope's ``results.json`` format."""
    tests = []
    for question, outcome in result["questions"].items():
        for hidden in (False, True):
            mine = [t for t in outcome["tests"] if t["hidden"] == hidden]
            if not mine:
                continue
            lines = [] if hidden else list(outcome["notes"])
            for t in mine:
                if t["passed"]:
                    lines.append(f"✅ {t['name']} ({t['points']:g} pt) passed")
                elif hidden:  # never its message: it could show the hidden test's inputs
                    lines.append(f"❌ {t['name']} ({t['points']:g} pt) failed")
                else:
                    lines.append(f"❌ {t['name']} ({t['points']:g} pt) failed: {t['message']}")
            score = sum(t["points"] for t in mine if t["passed"])
            possible = sum(t["points"] for t in mine)
            tests.append({
                "name": f"{question}: {'hidden' if hidden else 'public'} tests",
                "score": score, "max_score": possible,
                "status": "passed" if score == possible else "failed",
                "output": "\n".join(lines),
                "visibility": HIDDEN_VISIBILITY if hidden else "visible",
            })
    output = [result.get("message", ""), *result.get("notes_outside_questions", [])]
    return {"score": result["score"], "execution_time": round(result.get("seconds", 0)),
            "output": "\n".join(line for line in output if line), "stdout_visibility": "hidden",
            "tests": tests}


def failure_json(message: str) -> dict:
    """A results.json that says grading could not run (no score is shown as earned)."""
    return {"score": 0, "output": message, "stdout_visibility": "hidden", "tests": []}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=Path("/autograder"),
                        help="the autograder folder (default /autograder)")
    parser.add_argument("--timeout", type=float, default=TIMEOUT,
                        help=f"seconds for the whole grading (default {TIMEOUT})")
    args = parser.parse_args(argv)
    results = args.root / "results" / "results.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    try:
        zips = sorted((args.root / "source").glob("*-autograder.zip"))
        if len(zips) != 1:
            raise RuntimeError(f"expected one *-autograder.zip in {args.root / 'source'}, found {len(zips)}")
        name = zips[0].name.removesuffix("-autograder.zip")
        problem = grade.sandbox_problem()
        if problem:
            print(f"The sandbox cannot be made on this machine: {problem}")
            results.write_text(json.dumps(failure_json(
                "Your notebook was not graded: the grading machine cannot start the sandbox that "
                "runs submissions (it needs unprivileged user namespaces). This is not a problem "
                "with your notebook; your instructor has to look into it.")))
            return 0
        try:
            submission = find_submission(args.root / "submission", name)
        except FileNotFoundError as error:
            results.write_text(json.dumps(failure_json(str(error))))
            return 0
        result = grade.grade(zips[0], submission, timeout=args.timeout)
    except Exception:  # noqa: BLE001 (Gradescope needs a results.json whatever happens)
        print(traceback.format_exc())
        results.write_text(json.dumps(failure_json(
            "The autograder failed before it could grade your notebook; your instructor has to "
            "look into it.")))
        return 0
    results.write_text(json.dumps(results_json(result)))
    print(f"{Path(result['submission']).name}: {result['status']}, {result['score']:g}/"
          f"{result['possible']:g} in {time.perf_counter() - start:.1f} s")
    for question, outcome in result["questions"].items():
        print(f"  {question}: {outcome['score']:g}/{outcome['possible']:g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
