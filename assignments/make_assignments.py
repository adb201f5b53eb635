"""`make assignments`: the student notebooks and autograders, from the master notebooks.

    .venv/bin/python assignments/make_assignments.py [--out _build/assignments] [--jobs 2] [NAME ...]

For each master ``assignments/<name>.ipynb`` (in Otter Assign's format) this writes

    <out>/<name>/student/<name>.ipynb                   to hand out: no solutions, public tests only
    <out>/<name>/autograder/<name>-autograder.zip       all tests, hidden ones too: `otter run`,
                                                        assignments/grade.py or Gradescope
    <out>/<name>/autograder/<name>.ipynb                the solutions (for instructors)
    <out>/<name>/gradescope/<name>-gradescope.zip       for Gradescope: grade.py and the zip
                                                        above, with setup.sh, run_autograder
                                                        and environment.yml

then grades the solutions notebook with the autograder (``grade.py``: Otter's grader with time
limits) and fails unless it gets every point. How long that grading took, per assignment, goes
to ``<out>/timings.json``: it is the time one submission's autograding takes on this machine.

The autograders' Python requirements (for Gradescope's image) are the versions pinned in the
top-level ``requirements.txt`` and the course's helper package from the repository in
``_config.yml`` (its branch as a zip archive). Nothing under ``<out>`` is committed.

The Gradescope zip grades with the same files as ``grade.py`` here: ``gradescope.py`` (its entry
point), ``grade.py``, ``sandbox.py``, ``grading_tools.py``, ``cell_timeouts.py`` and the
assignment's autograder zip with its checksum, byte for byte.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import nbformat
import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import grade as grading  # noqa: E402

MASTERS = sorted(HERE.glob("a[0-9]*_*.ipynb"))
DEFAULT_OUT = ROOT / "_build" / "assignments"
# What the graded notebooks import (beyond otter-grader, which Otter adds itself).
GRADING_PACKAGES = ["numpy", "keras", "tensorflow_cpu", "scikit-learn"]
# Per-cell limit while grading the solutions: generous, a safety net against a hung cell.
SOLUTION_CELL_TIMEOUT = 300
# What the Gradescope zip grades with, beside the autograder zip (from assignments/).
GRADESCOPE_FILES = ["gradescope.py", "grade.py", "sandbox.py", "grading_tools.py", "cell_timeouts.py"]
# Gradescope's image: Python 3.11 in a conda environment, as Otter's own autograders install it.
GRADESCOPE_ENV = "cnnrnn-grading"
GRADESCOPE_PYTHON = f"/opt/miniforge/envs/{GRADESCOPE_ENV}/bin/python"
GRADESCOPE_SETUP = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image (Ubuntu): Python 3.11
# and the packages pinned in environment.yml, in a conda environment.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y wget util-linux
wget -nv -O /tmp/miniforge.sh \\
    "https://github.com/conda-forge/miniforge/releases/download/25.3.1-0/Miniforge3-Linux-$(uname -m).sh"
bash /tmp/miniforge.sh -b -p /opt/miniforge
/opt/miniforge/bin/mamba env create -f /autograder/source/environment.yml
# The sandbox needs unprivileged user namespaces. Where the image has none, run_autograder
# reports for every submission that it cannot grade: better to know now.
unshare --user --map-root-user --pid --fork --net --mount --ipc --uts true \\
    || echo "WARNING: this image cannot make the grading sandbox (no user namespaces)"
"""
GRADESCOPE_RUN = f"""\
#!/usr/bin/env bash
# Gradescope runs this for every submission, in /autograder: see gradescope.py. The course's
# tests run it on a copy of that layout, with AUTOGRADER_ROOT and GRADING_PYTHON set.
root="${{AUTOGRADER_ROOT:-/autograder}}"
exec "${{GRADING_PYTHON:-{GRADESCOPE_PYTHON}}}" "$root/source/gradescope.py" --root "$root"
"""

RUN_OTTER_PREAMBLE = '''\
# Added by assignments/make_assignments.py: a time limit per cell, so that a submission with a cell that
# never ends is still graded (that cell fails, the others count). See cell_timeouts.py.
try:
    import cell_timeouts

    cell_timeouts.install()
except Exception as error:  # grading without the limits beats not grading
    print(f"Per-cell time limits not installed: {error}")

'''


def helper_package_requirement() -> str:
    """The course's helper package as a pip requirement: the repository's branch as an archive
    (pip needs no git for it, and Gradescope's image has none)."""
    repository = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]
    url, branch = repository["url"].rstrip("/"), repository.get("branch", "main")
    return f"cnnrnn @ {url}/archive/refs/heads/{branch}.zip"


def grading_requirements() -> list[str]:
    """The pinned versions of GRADING_PACKAGES from requirements.txt, and the helper package."""
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==(\S+)", line.strip())
        if match:
            pins[match[1].lower().replace("-", "_")] = match[0]
    missing = [p for p in GRADING_PACKAGES if p.replace("-", "_") not in pins]
    if missing:
        raise SystemExit(f"requirements.txt pins no version of {missing}")
    return [pins[p.replace("-", "_")] for p in GRADING_PACKAGES] + [helper_package_requirement()]


def gradescope_environment() -> str:
    """environment.yml of Gradescope's image: Python 3.11 and the pinned grading requirements
    (IPython too: the sandbox reads cells with its input transformer, for %magics)."""
    ipython = [line.strip() for line in (ROOT / "requirements.txt").read_text().splitlines()
               if line.strip().lower().startswith("ipython==")]
    config = {"name": GRADESCOPE_ENV, "channels": ["conda-forge"],
              "dependencies": ["python=3.11", "pip", {"pip": grading_requirements() + ipython}]}
    return yaml.safe_dump(config, sort_keys=False)


def gradescope_zip(autograder: Path, target: Path) -> None:
    """The Gradescope autograder: setup.sh, run_autograder, environment.yml, the grading files
    of this folder and the autograder zip with its checksum, as they are."""
    target.parent.mkdir(parents=True, exist_ok=True)
    sidecar = autograder.with_name(autograder.name + ".sha256")

    def member(name: str, mode: int) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
        info.external_attr = (0o100000 | mode) << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        return info

    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        # The scripts executable: Gradescope runs them as they are.
        zf.writestr(member("setup.sh", 0o755), GRADESCOPE_SETUP)
        zf.writestr(member("run_autograder", 0o755), GRADESCOPE_RUN)
        zf.writestr(member("environment.yml", 0o644), gradescope_environment())
        for name in GRADESCOPE_FILES:
            zf.write(HERE / name, name)
        zf.write(autograder, autograder.name)
        zf.write(sidecar, sidecar.name)


def stage_master(master: Path, staging: Path) -> Path:
    """A copy of the master whose ASSIGNMENT CONFIG also lists the grading requirements."""
    nb = nbformat.read(master, as_version=4)
    config_cells = [c for c in nb.cells if c.cell_type == "raw"
                    and c.source.lstrip().startswith("# ASSIGNMENT CONFIG")]
    if len(config_cells) != 1:
        raise SystemExit(f"{master.name}: expected one raw '# ASSIGNMENT CONFIG' cell")
    config = yaml.safe_load(config_cells[0].source)
    if config.get("name") != master.stem:
        raise SystemExit(f"{master.name}: its config's name must be {master.stem!r} (the file name)")
    config["requirements"] = grading_requirements()
    config_cells[0].source = "# ASSIGNMENT CONFIG\n" + yaml.safe_dump(config, sort_keys=False)
    staging.mkdir(parents=True, exist_ok=True)
    staged = staging / master.name
    nbformat.write(nb, staged)
    return staged


def patch_autograder_zip(zip_path: Path, target: Path, name: str, student: Path) -> None:
    """Copy Otter's zip to a stable name, adding the per-cell time limits to its entry point and
    what ``grade.py`` grades with: the assignment's grading spec (``grading/spec.py``) and the
    student notebook as handed out (``grading/student.ipynb``). Writes ``<zip>.sha256`` beside
    it: ``grade.py`` refuses a zip that does not match it."""
    with zipfile.ZipFile(zip_path) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "run_otter.py":
                data = RUN_OTTER_PREAMBLE.encode() + data
            dst.writestr(item, data)
        dst.write(HERE / "cell_timeouts.py", "cell_timeouts.py")
        dst.write(HERE / "grading" / f"{name}.py", "grading/spec.py")
        dst.write(HERE / "grading_tools.py", "grading/grading_tools.py")
        dst.write(student, "grading/student.ipynb")
    zip_path.unlink()
    target.with_name(target.name + ".sha256").write_text(f"{grading.sha256_of(target)}  {target.name}\n")


def assign(master: Path, out: Path) -> dict:
    """Run Otter Assign on one master; returns the paths of what it wrote."""
    name = master.stem
    result = out / name
    shutil.rmtree(result, ignore_errors=True)
    staged = stage_master(master, out / ".staging" / name)
    command = [sys.executable, "-m", "otter", "assign", "--no-run-tests", "--no-pdfs",
               str(staged), str(result)]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if run.returncode != 0:
        raise SystemExit(f"otter assign failed on {master.name}:\n{run.stdout}\n{run.stderr}")
    zips = list((result / "autograder").glob(f"{name}-autograder_*.zip"))
    if len(zips) != 1:
        raise SystemExit(f"otter assign wrote {len(zips)} autograder zips for {name}")
    autograder = result / "autograder" / f"{name}-autograder.zip"
    student = result / "student" / f"{name}.ipynb"
    patch_autograder_zip(zips[0], autograder, name, student)
    gradescope = result / "gradescope" / f"{name}-gradescope.zip"
    gradescope_zip(autograder, gradescope)
    return {"name": name, "student": student, "autograder": autograder, "gradescope": gradescope,
            "solutions": result / "autograder" / f"{name}.ipynb"}


def build(out: Path = DEFAULT_OUT, names: list[str] | None = None, jobs: int = 2,
          grade_solutions: bool = True) -> dict:
    """Build the named assignments (all by default). Returns {name: paths and grading result}."""
    masters = [m for m in MASTERS if not names or m.stem in names]
    unknown = set(names or []) - {m.stem for m in masters}
    if unknown:
        raise SystemExit(f"No master notebook for {sorted(unknown)}; there are "
                         f"{[m.stem for m in MASTERS]}")
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        built = {b["name"]: b for b in pool.map(lambda m: assign(m, out), masters)}
    shutil.rmtree(out / ".staging", ignore_errors=True)
    print(f"otter assign: {len(built)} assignment(s) in {time.perf_counter() - start:.1f} s")
    if not grade_solutions:
        return built

    # Imported here, not at the top: importing cnnrnn loads Keras (seconds), which only the
    # timings record needs.
    from cnnrnn.timing import cpu_description

    results = grading.grade_many(
        [b["autograder"] for b in built.values()], [b["solutions"] for b in built.values()],
        jobs=jobs, cell_timeout=SOLUTION_CELL_TIMEOUT)
    timings_file = out / "timings.json"
    timings = json.loads(timings_file.read_text()) if timings_file.exists() else {}
    failed = []
    for b, r in zip(built.values(), results, strict=True):
        b["grading"] = r
        print(f"{b['name']}: solutions scored {r['score']:g}/{r['possible']}, "
              f"autograding took {r['seconds']:.1f} s")
        if r["status"] != "graded" or r["possible"] in (None, 0) or r["score"] != r["possible"]:
            failed.append(b["name"])
            continue
        timings[b["name"]] = {
            "autograding_seconds": r["seconds"], "points": r["possible"],
            "points_per_question": {q: v["possible"] for q, v in r["questions"].items()},
            "measured": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "machine": cpu_description(), "parallel_gradings": min(jobs, len(built)),
        }
    timings_file.write_text(json.dumps(timings, indent=1, sort_keys=True))
    if failed:
        details = "\n\n".join(f"{b}:\n{json.dumps(built[b]['grading'], indent=1)}" for b in failed)
        raise SystemExit(f"The solutions of {failed} do not pass all their tests:\n{details}")
    print(f"Wrote {out}/<name>/student, <name>/autograder and timings.json "
          f"({time.perf_counter() - start:.1f} s in all)")
    return built


def _is_answer(cell) -> bool:
    return "otter_answer_cell" in cell.metadata.get("tags", [])


def refresh_samples(built: dict) -> None:
    """Rewrite assignments/samples/<name>/*.ipynb from the new student notebooks, keeping each
    sample's answer cells (``empty.ipynb`` becomes the student notebook itself). For when a master
    changed anywhere but in its answers; a changed number of questions needs a hand edit."""
    for name, b in built.items():
        student = nbformat.read(b["student"], as_version=4)
        answers = [i for i, c in enumerate(student.cells) if _is_answer(c)]
        for path in sorted((HERE / "samples" / name).glob("*.ipynb")):
            new = nbformat.from_dict(json.loads(json.dumps(student)))  # a deep copy
            if path.stem != "empty":
                old = nbformat.read(path, as_version=4)
                theirs = [c for c in old.cells if _is_answer(c)]
                if len(theirs) != len(answers):
                    raise SystemExit(f"{path}: {len(theirs)} answer cells, the student notebook has "
                                     f"{len(answers)}: edit this sample by hand")
                for i, cell in zip(answers, theirs, strict=True):
                    new.cells[i].source = cell.source
            nbformat.write(new, path)
            print(f"refreshed {path.relative_to(ROOT)}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="assignments to build (default: all)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"default: {DEFAULT_OUT}")
    parser.add_argument("--jobs", "-j", type=int, default=2, help="work done at once (default 2)")
    parser.add_argument("--no-grade", action="store_true",
                        help="do not grade the solutions (nor write timings.json)")
    parser.add_argument("--refresh-samples", action="store_true",
                        help="then rewrite assignments/samples from the new student notebooks, "
                        "keeping each sample's answers")
    args = parser.parse_args(argv)
    built = build(args.out, args.names, jobs=args.jobs, grade_solutions=not args.no_grade)
    if args.refresh_samples:
        refresh_samples(built)
    return 0


if __name__ == "__main__":
    sys.exit(main())
