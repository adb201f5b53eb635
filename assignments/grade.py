"""Grade submissions locally with an assignment's autograder zip, without Docker.

    .venv/bin/python assignments/grade.py \\
        --autograder _build/assignments/a1_convolution/autograder/a1_convolution-autograder.zip \\
        --out grades/a1 submissions/a1/*.ipynb

Each submission is graded by ``otter run`` (Otter's non-containerised grader) in a child process of
its own, with two time limits:

* ``--cell-timeout``: a cell of the submission that runs longer is interrupted and fails, and the
  grading goes on with the next cell (see ``cell_timeouts.py``), so a loop that never ends costs
  only the questions it breaks;
* ``--timeout``: the whole grading of one submission; past it the child and its kernel are killed
  and the submission gets 0 with a message saying so.

A submission that raises, deletes what the tests need or crashes its kernel still gets a score:
the tests that cannot run fail. Writes one ``<submission>.json`` per submission (score, points per
question, the feedback Otter gives, seconds) and ``grades.csv`` into ``--out``, and prints a table.

Otter runs the submission's code with this Python's packages: run it from the course's ``.venv``.
Grading runs student code: use it on submissions you are prepared to run on this machine.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import cell_timeouts  # noqa: E402

DEFAULT_CELL_TIMEOUT = cell_timeouts.STUDENT_SECONDS
DEFAULT_TIMEOUT = 900


def autograder_info(autograder: str | Path) -> dict:
    """The assignment's name and the points of each question, read from its autograder zip."""
    from otter.test_files import create_test_file

    with zipfile.ZipFile(autograder) as zf, tempfile.TemporaryDirectory() as tmp:
        config = json.loads(zf.read("otter_config.json")) if "otter_config.json" in zf.namelist() else {}
        points = {}
        for member in sorted(n for n in zf.namelist() if re.fullmatch(r"tests/[^/]+\.py", n)):
            path = Path(tmp) / Path(member).name
            path.write_bytes(zf.read(member))
            points[path.stem] = create_test_file(str(path), None).possible
    return {"name": config.get("assignment_name"), "points": points}


def grade(autograder: str | Path, submission: str | Path, *, cell_timeout: float = DEFAULT_CELL_TIMEOUT,
          timeout: float = DEFAULT_TIMEOUT) -> dict:
    """Grade one submission (a notebook, or the zip Otter's export cell writes); never raises for
    anything the submission does. Returns a dict: ``submission``, ``status`` ("graded",
    "timeout" or "error"), ``score``, ``possible``, ``questions`` ({name: {score, possible,
    feedback}}), ``message`` and ``seconds``."""
    autograder, submission = Path(autograder).resolve(), Path(submission).resolve()
    if not autograder.is_file():
        raise FileNotFoundError(f"No autograder zip at {autograder}: run `make assignments` first.")
    if not submission.is_file():
        raise FileNotFoundError(f"No submission at {submission}")
    info = autograder_info(autograder)
    zero = {q: {"score": 0, "possible": p, "feedback": "not graded"} for q, p in info["points"].items()}
    result = {"submission": str(submission), "status": "error", "score": 0,
              "possible": sum(info["points"].values()), "questions": zero, "message": ""}
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="cnnrnn-grade-") as scratch:
        # Grade a copy under the notebook's own name, as handed out: its `otter.Notebook(...)`
        # cell then finds it, and the `grader.check` cells run where they stand whatever the
        # student called the file.
        graded = submission
        if submission.suffix == ".ipynb" and info["name"]:
            graded = Path(scratch) / "submission" / f"{info['name']}.ipynb"
            graded.parent.mkdir()
            shutil.copy(submission, graded)
        out = Path(scratch) / "result.json"
        env = {**os.environ, "TMPDIR": scratch}  # otter run's own folders go here, and are removed
        command = [sys.executable, str(Path(__file__).resolve()), "_child", str(autograder),
                   str(graded), str(out), str(cell_timeout)]
        # A session of its own, so that on timeout the child *and* its kernel can be killed.
        child = subprocess.Popen(command, cwd=scratch, env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True, start_new_session=True)
        try:
            log, _ = child.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            _kill_kernels_of(scratch)
            log, _ = child.communicate()
            result.update(status="timeout", message=(
                f"Grading did not finish within {timeout:g} s and was stopped: a cell may loop "
                "forever or take far too long. Score 0."))
        else:
            if out.is_file():
                graded_result = json.loads(out.read_text())
                if graded_result["status"] == "graded":
                    result.update(graded_result)
                else:
                    result.update(status=graded_result["status"], message=graded_result["message"])
            else:
                tail = "\n".join(log.strip().splitlines()[-15:])
                result["message"] = f"The grader could not grade this submission. Score 0.\n{tail}"
    result["seconds"] = round(time.perf_counter() - start, 1)
    return result


def _kill_kernels_of(scratch: str) -> None:
    """Kill the kernels this grading started: jupyter starts each in a session of its own, with
    its connection file in our private TMPDIR (Linux; elsewhere a kernel whose grader is gone
    stops by itself)."""
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if scratch in cmdline.read_bytes().decode(errors="replace"):
                os.kill(int(cmdline.parent.name), signal.SIGKILL)
        except (OSError, ValueError):
            pass  # gone already, or not ours to read


def grade_many(autograder, submissions, *, jobs: int = 1, **limits) -> list[dict]:
    """Grade several submissions, ``jobs`` at a time; results in the order given. ``autograder``
    is one zip for all, or a list of zips, one per submission."""
    submissions = list(submissions)
    zips = list(autograder) if isinstance(autograder, (list, tuple)) else [autograder] * len(submissions)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(lambda pair: grade(*pair, **limits), zip(zips, submissions, strict=True)))


def _child(autograder: str, submission: str, out: str, cell_timeout: str) -> None:
    """Runs in the child process: Otter's grading of one submission, with per-cell limits."""
    cell_timeouts.install(student_seconds=float(cell_timeout))
    from otter.run import main as otter_run

    results_dir = tempfile.mkdtemp()
    results = otter_run(submission, autograder=autograder, output_dir=results_dir, no_logo=True)
    questions = {name: {"score": tf.score, "possible": tf.possible, "feedback": tf.summary()}
                 for name, tf in results.results.items()}
    error = results.catastrophic_error
    Path(out).write_text(json.dumps({
        "status": "error" if error else "graded",
        "score": results.total, "possible": results.possible, "questions": questions,
        "message": f"Otter could not grade this submission: {error}" if error else "",
    }, indent=1))
    shutil.rmtree(results_dir, ignore_errors=True)


def _print_table(results: list[dict]) -> None:
    names = sorted({q for r in results for q in r["questions"]})
    print(f"{'submission':32} {'status':8} {'score':>9}  " + " ".join(f"{n:>6}" for n in names)
          + f"  {'seconds':>7}")
    for r in results:
        score = f"{r['score']:g}/{r['possible']:g}" if r["possible"] is not None else f"{r['score']:g}"
        cells = " ".join(f"{r['questions'][n]['score']:>6g}" if n in r["questions"] else f"{'-':>6}"
                         for n in names)
        print(f"{Path(r['submission']).name:32} {r['status']:8} {score:>9}  {cells}  {r['seconds']:7.1f}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("submissions", nargs="+", type=Path, help="notebooks (or export zips)")
    parser.add_argument("--autograder", "-a", required=True, type=Path, help="the autograder zip")
    parser.add_argument("--out", "-o", type=Path, default=Path("grades"),
                        help="folder for the results (default: ./grades)")
    parser.add_argument("--cell-timeout", type=float, default=DEFAULT_CELL_TIMEOUT,
                        help=f"seconds one cell may run (default {DEFAULT_CELL_TIMEOUT})")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help=f"seconds the grading of one submission may take (default {DEFAULT_TIMEOUT})")
    parser.add_argument("--jobs", "-j", type=int, default=1, help="submissions graded at once")
    args = parser.parse_args(argv)

    results = grade_many(args.autograder, args.submissions, jobs=args.jobs,
                         cell_timeout=args.cell_timeout, timeout=args.timeout)
    args.out.mkdir(parents=True, exist_ok=True)
    for r in results:
        (args.out / f"{Path(r['submission']).stem}.json").write_text(json.dumps(r, indent=1))
    names = sorted({q for r in results for q in r["questions"]})
    with open(args.out / "grades.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["submission", "status", "score", "possible", *names, "seconds"])
        for r in results:
            writer.writerow([Path(r["submission"]).name, r["status"], r["score"], r["possible"],
                             *(r["questions"].get(n, {}).get("score", "") for n in names), r["seconds"]])
    _print_table(results)
    print(f"Results in {args.out}/ (one JSON per submission, with Otter's feedback; grades.csv)")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_child":
        _child(*sys.argv[2:6])
    else:
        sys.exit(main())
