"""Run chapters as plain Python scripts, without Jupyter, and time each one.

For machines that have Keras and a backend but no Jupyter (a borrowed GPU machine, a cluster
node): each notebook's code cells are joined into one script, IPython-only lines (``%pip``,
``!ls``) become ``pass``, and ``display()`` prints. Every ``assert`` still runs and every
``record()`` still lands in ``BOOK_RESULTS``, so the headline numbers are the ones the book
would show. It is not how the book is built (`make book` executes the notebooks themselves).

    BOOK_RESULTS=results.json python tools/run_chapters_plain.py 03 12 --deadline 500 --out out/

Writes ``out/chapters.json`` (per chapter: exit status, seconds, the failing lines) and
``out/chapters.log`` (everything the chapters printed).

``--parallel N`` runs N chapters at once (a GPU machine's many cores; each chapter's seconds then
include the others' load, and the summary says so). Each chapter then records into a file of its
own, started from a copy of ``BOOK_RESULTS`` as it stands at its start (chapters 23 and 26 read
other chapters' numbers), and what it recorded is merged back into ``BOOK_RESULTS`` when it ends;
``chapters.log`` then holds the chapters one after the other. ``--deadline`` stops every chapter
still running when it passes, and the summary says which ones it stopped. ``tools/device_bundle.py``
packs what a machine with no TensorFlow and no network needs to run them on the JAX backend.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
PREAMBLE = (
    "import builtins\n"
    "builtins.display = lambda *objects, **_: print(*objects)  # IPython's, outside IPython\n"
)
MAGIC = re.compile(r"^(\s*)[%!].*$", re.M)


def chapter_script(notebook: Path) -> str:
    """The notebook's code cells as one script, each cell marked so a traceback names it."""
    cells = json.loads(notebook.read_text())["cells"]
    parts = [PREAMBLE]
    for number, cell in enumerate(cells):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        parts.append(f"# ---- cell {number} ----\n" + MAGIC.sub(r"\1pass", source) + "\n")
    return "\n".join(parts)


def find_notebook(name: str) -> Path:
    matches = sorted(NOTEBOOKS.glob(f"{name}*.ipynb"))
    if len(matches) != 1:
        raise SystemExit(f"'{name}' names {len(matches)} notebooks in {NOTEBOOKS}; "
                         "give a unique prefix, e.g. 03")
    return matches[0]


def write_script(notebook: Path) -> Path:
    """The chapter as a script beside the notebooks (its relative paths hold); removed after it runs."""
    script = NOTEBOOKS / f".plain_{notebook.stem}.py"
    script.write_text(chapter_script(notebook))
    return script


def chapter_env(**extra) -> dict:
    return {**os.environ, "MPLBACKEND": "Agg", "PYTHONUNBUFFERED": "1", **extra,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}


def run_chapter(notebook: Path, timeout: float, log) -> dict:
    script = write_script(notebook)
    env = chapter_env()
    log.write(f"\n===== {notebook.stem} =====\n")
    log.flush()
    start = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, script.name], cwd=NOTEBOOKS, env=env, timeout=timeout,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        status, output = done.returncode, done.stdout
    except subprocess.TimeoutExpired as stopped:
        status, output = "timeout", (stopped.stdout or b"").decode(errors="replace")
    seconds = time.perf_counter() - start
    script.unlink()
    log.write(output)
    log.flush()
    tail = output.strip().splitlines()[-15:] if status != 0 else []
    return {"status": status, "seconds": round(seconds, 1), "tail": tail}


def load_json(path: Path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}


def run_parallel(notebooks: list[Path], parallel: int, deadline: float, out: Path) -> dict:
    """Run `parallel` chapters at a time until `deadline` seconds have passed (see the docstring)."""
    results = Path(os.environ.get("BOOK_RESULTS", out / "results.json")).resolve()
    work = out / "chapters"
    work.mkdir(parents=True, exist_ok=True)
    waiting, running, summary = list(notebooks), {}, {}
    shared = f"run {parallel} at a time: each chapter's seconds include the others' load"
    end = time.monotonic() + deadline

    def finish(notebook, script, started, seed, status):
        output = (work / f"{notebook.stem}.log").read_text(errors="replace")
        script.unlink(missing_ok=True)
        own = load_json(work / f"{notebook.stem}.json")
        merged = load_json(results)
        merged.update({name: entry for name, entry in own.items() if seed.get(name) != entry})
        results.write_text(json.dumps(merged, indent=1, sort_keys=True))
        tail = output.strip().splitlines()[-15:] if status != 0 else []
        summary[notebook.stem] = {"status": status, "seconds": round(time.monotonic() - started, 1),
                                  "tail": tail, "note": shared}
        print(notebook.stem, status, summary[notebook.stem]["seconds"], "s", flush=True)
        (out / "chapters.json").write_text(json.dumps(summary, indent=1))

    while (waiting or running) and time.monotonic() < end:
        while waiting and len(running) < parallel:
            notebook = waiting.pop(0)
            script = write_script(notebook)
            seed = load_json(results)
            own = work / f"{notebook.stem}.json"
            own.write_text(json.dumps(seed))
            log = open(work / f"{notebook.stem}.log", "w")
            process = subprocess.Popen([sys.executable, script.name], cwd=NOTEBOOKS, stdout=log,
                                       stderr=subprocess.STDOUT, env=chapter_env(BOOK_RESULTS=str(own)))
            running[notebook] = (process, script, time.monotonic(), seed, log)
        for notebook, (process, script, started, seed, log) in list(running.items()):
            if process.poll() is not None:
                log.close()
                del running[notebook]
                finish(notebook, script, started, seed, process.returncode)
        time.sleep(1)
    for notebook, (process, script, started, seed, log) in running.items():
        process.kill()
        process.wait()
        log.close()
        finish(notebook, script, started, seed, "stopped at the deadline")
    for notebook in waiting:
        summary[notebook.stem] = {"status": "not run: deadline", "seconds": 0, "tail": []}
    with open(out / "chapters.log", "w") as log:
        for notebook in notebooks:
            if (work / f"{notebook.stem}.log").exists():
                log.write(f"\n===== {notebook.stem} =====\n")
                log.write((work / f"{notebook.stem}.log").read_text(errors="replace"))
    return summary


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("chapters", nargs="+", help="notebook name prefixes, e.g. 03 12")
    parser.add_argument("--deadline", type=float, default=3600, help="seconds for all chapters together")
    parser.add_argument("--out", type=Path, default=Path("."))
    parser.add_argument("--parallel", type=int, default=1, help="chapters run at once")
    args = parser.parse_args(argv)
    notebooks = [find_notebook(name) for name in args.chapters]
    args.out.mkdir(parents=True, exist_ok=True)
    if args.parallel > 1:
        summary = run_parallel(notebooks, args.parallel, args.deadline, args.out)
        (args.out / "chapters.json").write_text(json.dumps(summary, indent=1))
        return 0 if all(entry["status"] == 0 for entry in summary.values()) else 1
    summary, end = {}, time.monotonic() + args.deadline
    with open(args.out / "chapters.log", "w") as log:
        for notebook in notebooks:
            left = end - time.monotonic()
            if left < 10:
                summary[notebook.stem] = {"status": "not run: deadline", "seconds": 0, "tail": []}
                continue
            summary[notebook.stem] = run_chapter(notebook, left, log)
            (args.out / "chapters.json").write_text(json.dumps(summary, indent=1))
            print(notebook.stem, summary[notebook.stem]["status"], summary[notebook.stem]["seconds"], "s",
                  flush=True)
    (args.out / "chapters.json").write_text(json.dumps(summary, indent=1))
    return 0 if all(entry["status"] == 0 for entry in summary.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
