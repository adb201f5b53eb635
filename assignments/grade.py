"""Grade submissions with an assignment's autograder zip: each in a sandbox, the tests outside it.

    .venv/bin/python assignments/grade.py \\
        --autograder _build/assignments/a1_convolution/autograder/a1_convolution-autograder.zip \\
        --out grades/a1 --jobs 2 submissions/a1/*.ipynb

No student code ever shares a process, a writable file or a view of the tests with the grading:

1. **The autograder is checked.** The zip's SHA-256 must match ``<zip>.sha256`` (written by
   ``make assignments``, or given with ``--sha256``) before each submission is graded; the zip
   is read into memory and its tests are only ever unpacked into this process's private folder.
2. **The submission runs in a sandbox** (``sandbox.py``): Linux user, PID, network, mount, IPC
   and UTS namespaces made with util-linux's ``unshare``; a root file system with only the
   system, Python and its packages (read-only) and an empty working folder holding the notebook;
   no capabilities; limits on memory, CPU time, file size, open files and processes; a limit per
   cell and per submission. The notebook the sandbox runs is the handed-out student notebook
   with the submission's *answer cells* put in: set-up and check cells cannot be edited, and the
   notebook's kernel (its name, its language) plays no part. After each question the sandbox
   calls the submission's functions on the tests' inputs (the assignment's *probes*) and sends
   the values back down a pipe as plain data: numbers, strings, float64 arrays.
3. **The tests run afterwards**, in a fresh interpreter (``grade.py _check``), on that data and
   on expected values the grader computed itself. The score is what they compute: nothing the
   submission writes is read as a result.
4. **Partial credit survives crashes.** When the sandbox dies in a cell (a crash, ``os._exit``,
   a kill, a cell past its limit that ignores the interrupt), the submission is run again
   without that cell; questions already answered keep their points. Each question's feedback
   says what happened; a hidden test's failure says only that it failed.

Writes ``<submission>.json`` per submission (score, per-question points and feedback, seconds)
and ``grades.csv`` into ``--out``, and prints a table. Needs Linux with unprivileged user
namespaces (``unshare -U`` must work, as on stock Debian and Ubuntu), util-linux, and this
course's ``.venv``.
"""

from __future__ import annotations

import argparse
import base64
import csv
import functools
import glob
import hashlib
import importlib.util
import inspect
import io
import json
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
SANDBOX = HERE / "sandbox.py"
sys.path.insert(0, str(HERE))

import cell_timeouts  # noqa: E402

DEFAULT_CELL_TIMEOUT = cell_timeouts.STUDENT_SECONDS
DEFAULT_TIMEOUT = 900
DEFAULT_MEMORY_MB = 6144  # address space: TensorFlow reserves far more than it touches
# The tag of an answer cell in the student notebook, and in Otter's solutions notebook.
ANSWER_TAGS = {"otter_answer_cell", "otter_assign_solution_cell"}
MAX_RUNS = 4  # the first run and up to three reruns, each without a cell that killed the sandbox
MAX_NOTEBOOK_BYTES = 20 << 20
MAX_REPORT_BYTES = 64 << 20
MAX_LOG_BYTES = 1 << 20
GRACE = 10  # seconds past a step's limit before the sandbox is killed (the alarm comes first)
CHECK_MEMORY_MB = 6144
CHECK_TIMEOUT = 300


class AutograderChanged(RuntimeError):
    """The autograder zip does not match its checksum: nothing is graded with it."""


# ------------------------------------------------------------------------------------------
# The autograder: a checked zip with the grading spec and the student notebook
# ------------------------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


class Autograder:
    """One autograder zip, checked and unpacked into a private folder of this process."""

    _lock = threading.Lock()
    _cache: dict[tuple[str, str], Autograder] = {}

    def __init__(self, path: Path, digest: str, data: bytes):
        self.path, self.digest = path, digest
        self.folder = Path(tempfile.mkdtemp(prefix="cnnrnn-autograder-"))  # mode 0700
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            self.spec_file = self.folder / "spec.py"
            self.spec_file.write_bytes(zf.read("grading/spec.py"))
            self.reference = json.loads(zf.read("grading/student.ipynb"))
            config = json.loads(zf.read("otter_config.json")) if "otter_config.json" in zf.namelist() else {}
        self.name = config.get("assignment_name") or self.reference["metadata"]["otter"]["assignment_name"]
        module_spec = importlib.util.spec_from_file_location(f"spec_{self.name}", self.spec_file)
        self.spec = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(self.spec)
        self.points = {q: sum(t.points for t in question["tests"])
                       for q, question in self.spec.QUESTIONS.items()}
        self._expected = None

    @classmethod
    def load(cls, path: str | Path, sha256: str | None = None) -> Autograder:
        """The autograder at ``path``, after checking its bytes against ``sha256`` (or the
        ``<zip>.sha256`` file beside it). Raises AutograderChanged when they differ."""
        path = Path(path).resolve()
        if not path.is_file():
            raise FileNotFoundError(f"No autograder zip at {path}: run `make assignments` first.")
        sidecar = path.with_name(path.name + ".sha256")
        wanted = sha256 or (sidecar.read_text().split()[0] if sidecar.is_file() else None)
        if not wanted:
            raise AutograderChanged(f"No checksum for {path}: give --sha256 or keep {sidecar.name} "
                                    "beside it.")
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if digest != wanted:
            raise AutograderChanged(f"{path} has changed since it was built (SHA-256 {digest}, "
                                    f"expected {wanted}): rebuild it with `make assignments`.")
        with cls._lock:
            if (str(path), digest) not in cls._cache:
                cls._cache[str(path), digest] = cls(path, digest, data)
            return cls._cache[str(path), digest]

    def expected(self) -> str:
        """The tests' expected values, computed once, in a fresh interpreter, as JSON."""
        with self._lock:
            if self._expected is None:
                self._expected = _run_check_process(self.spec_file, {"mode": "expected"})["expected"]
            return self._expected

    # The notebook the sandbox runs: the student notebook with the submission's answers in it.
    def steps(self, submission: dict, cell_timeout: float) -> tuple[list[dict], list[str]]:
        problems = []
        answers = [c for c in submission.get("cells", []) if isinstance(c, dict)
                   and c.get("cell_type") == "code" and ANSWER_TAGS & set(map(str, _tags(c)))]
        reference_answers = [i for i, c in enumerate(self.reference["cells"])
                             if c["cell_type"] == "code" and "otter_answer_cell" in _tags(c)]
        if len(answers) != len(reference_answers):
            problems.append(f"The notebook has {len(answers)} answer cells where the assignment has "
                            f"{len(reference_answers)}: answers were matched in order.")
        answer_of = dict(zip(reference_answers, answers, strict=False))
        steps, pending = [], []
        for i, cell in enumerate(self.reference["cells"]):
            if cell["cell_type"] != "code":
                continue
            source = _source(cell)
            if cell_timeouts.is_grader_cell(source):
                match = re.search(r"""\.check\(\s*["']([\w.-]+)["']""", source)
                if match and match[1] in self.spec.QUESTIONS:
                    question = match[1]
                    for step in pending:
                        step["question"] = question
                    pending = []
                    steps.append({"id": f"probe:{question}", "kind": "probe", "question": question,
                                  "source": _probe_source(self.spec.QUESTIONS[question]["probe"]),
                                  "timeout": cell_timeout})
                continue  # Otter's own cells never run in the sandbox
            if i in reference_answers:
                source = _source(answer_of[i]) if i in answer_of else ""
            step = {"id": f"cell:{i}", "kind": "cell", "cell": i, "source": source,
                    "timeout": cell_timeout, "question": None, "answer": i in reference_answers}
            pending.append(step)
            steps.append(step)
        return steps, problems


def _tags(cell) -> list:
    tags = cell.get("metadata", {}).get("tags", [])
    return tags if isinstance(tags, list) else []


def _source(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _probe_source(function) -> str:
    """A probe function's source, renamed `probe`, to be run in the sandbox."""
    import textwrap

    source = textwrap.dedent(inspect.getsource(function))
    return re.sub(r"^def \w+\(", "def probe(", source, count=1, flags=re.M)


# ------------------------------------------------------------------------------------------
# One run of the sandbox
# ------------------------------------------------------------------------------------------


def _read_only_paths() -> list[str]:
    """What the sandbox sees of this machine: the system, Python, its packages, and the course's
    helper package alone (not the repository around it: the masters hold the solutions)."""
    import site

    paths = ["/usr", "/bin", "/lib", "/lib64", "/lib32", "/sbin", "/etc"]
    paths += [os.path.realpath(sys.base_prefix), sys.prefix, os.path.realpath(sys.prefix)]
    paths += [p for p in site.getsitepackages() if os.path.isdir(p)]
    return list(dict.fromkeys(paths + _helper_package_dirs()))


@functools.lru_cache(maxsize=1)
def _helper_package_dirs() -> list[str]:
    """Where the sandbox's Python finds the course's package: asked of a Python started as the
    sandbox starts it (``-I``, from ``/``), since this process may import it from elsewhere
    (a checkout on its path)."""
    found = []
    spec = importlib.util.find_spec("cnnrnn")
    if spec and spec.origin:
        found.append(str(Path(spec.origin).resolve().parent))
    where = "import importlib.util as u; s = u.find_spec('cnnrnn'); print(s.origin if s and s.origin else '')"
    run = subprocess.run([sys.executable, "-I", "-c", where], capture_output=True, text=True, cwd="/")
    if run.returncode == 0 and run.stdout.strip():
        found.append(str(Path(run.stdout.strip()).resolve().parent))
    return found


def _sandbox_command() -> list[str]:
    return ["unshare", "--user", "--map-root-user", "--pid", "--fork", "--kill-child",
            "--net", "--mount", "--ipc", "--uts", "--", sys.executable, "-I", str(SANDBOX)]


def sandbox_problem() -> str | None:
    """Why this machine cannot make the sandbox (no ``unshare``, or user namespaces refused),
    or None when it can."""
    try:
        run = subprocess.run(_sandbox_command()[:-3] + ["true"], capture_output=True, text=True,
                             timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"{' '.join(_sandbox_command()[:-3])} true: {error}"
    if run.returncode != 0:
        return f"{' '.join(_sandbox_command()[:-3])} true: {run.stderr.strip()[-500:]}"
    return None


def _processes_limit() -> int | None:
    """RLIMIT_NPROC counts every process of this user; as root it is not enforced at all."""
    uid = os.getuid()
    if uid == 0:
        return None
    mine = sum(1 for status in Path("/proc").glob("[0-9]*/status")
               if _uid_of(status) == uid)
    return mine + 512


def _uid_of(status: Path) -> int | None:
    try:
        for line in status.read_text().splitlines():
            if line.startswith("Uid:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def _sandbox_env() -> dict:
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/home", "TMPDIR": "/tmp",
           "LANG": "C.UTF-8", "MPLBACKEND": "Agg", "TF_CPP_MIN_LOG_LEVEL": "3",
           "CUDA_VISIBLE_DEVICES": "", "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1"}
    for name in ("KERAS_BACKEND", "OMP_NUM_THREADS", "TF_NUM_INTEROP_THREADS", "TF_NUM_INTRAOP_THREADS"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def run_sandbox(plan: dict, deadline: float) -> dict:
    """Runs the sandbox once. Returns {"events", "ended": "done"|"died"|"step-timeout"|
    "timeout"|"setup-failed", "exit", "log"}; never raises for what the submission does."""
    read_end, write_end = os.pipe()
    os.set_inheritable(write_end, True)
    child = subprocess.Popen(
        _sandbox_command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        pass_fds=(write_end,), env=_sandbox_env(), cwd="/", start_new_session=True)
    os.close(write_end)
    events, log, state = [], bytearray(), {"step": None, "since": time.monotonic(), "bytes": 0}

    def read_events():
        with os.fdopen(read_end, "rb") as channel:
            for line in channel:
                state["bytes"] += len(line)
                if state["bytes"] > MAX_REPORT_BYTES:
                    break
                try:
                    event = json.loads(line)
                except ValueError:
                    continue
                if isinstance(event, dict):
                    events.append(event)
                    if event.get("event") == "step":
                        state["step"], state["since"] = event.get("id"), time.monotonic()

    def read_log():
        for chunk in iter(lambda: child.stdout.read(65536), b""):
            if len(log) < MAX_LOG_BYTES:
                log.extend(chunk[: MAX_LOG_BYTES - len(log)])

    threads = [threading.Thread(target=read_events, daemon=True),
               threading.Thread(target=read_log, daemon=True)]
    for thread in threads:
        thread.start()
    try:
        child.stdin.write(json.dumps({**plan, "channel": write_end}).encode())
        child.stdin.close()
    except OSError:
        pass
    limits = {s["id"]: s["timeout"] for s in plan["steps"]}
    ended = None
    while child.poll() is None:
        now = time.monotonic()
        if now > deadline:
            ended = "timeout"
        elif state["step"] in limits and now - state["since"] > limits[state["step"]] + GRACE:
            ended = "step-timeout"
        if ended:
            try:
                os.killpg(child.pid, signal.SIGKILL)  # unshare and process 1; the kernel does the rest
            except ProcessLookupError:
                pass
            break
        time.sleep(0.1)
    child.wait()
    for thread in threads:
        thread.join(timeout=10)
    kinds = [e.get("event") for e in events]
    if ended is None:
        if "setup-failed" in kinds:
            ended = "setup-failed"
        else:
            ended = "done" if "done" in kinds else "died"
    exits = [e for e in events if e.get("event") == "exit"]
    return {"events": events, "ended": ended, "exit": exits[-1] if exits else {},
            "step": state["step"], "log": log.decode(errors="replace")}


# ------------------------------------------------------------------------------------------
# Grading one submission
# ------------------------------------------------------------------------------------------


def grade(autograder: str | Path, submission: str | Path, *, cell_timeout: float = DEFAULT_CELL_TIMEOUT,
          timeout: float = DEFAULT_TIMEOUT, memory_mb: int = DEFAULT_MEMORY_MB,
          sha256: str | None = None) -> dict:
    """Grade one submission notebook; never raises for anything the submission does. Returns a
    dict: ``submission``, ``status`` ("graded", "timeout" or "error"), ``score``, ``possible``,
    ``questions`` ({name: {score, possible, feedback, notes, tests}}: ``feedback`` is the text
    for the student; ``notes`` what happened in the question's cells; ``tests`` each test's
    ``name``, ``points``, ``hidden``, ``passed`` and, for a public test, ``message``),
    ``message`` and ``seconds``. Raises AutograderChanged if the autograder zip does not match
    its checksum."""
    start = time.perf_counter()
    ag = Autograder.load(autograder, sha256)
    submission = Path(submission).resolve()
    if not submission.is_file():
        raise FileNotFoundError(f"No submission at {submission}")
    result = {"submission": str(submission), "status": "error", "score": 0,
              "possible": sum(ag.points.values()), "message": "", "autograder_sha256": ag.digest,
              "questions": {q: {"score": 0, "possible": p, "feedback": "not graded"}
                            | {"notes": [], "tests": []} for q, p in ag.points.items()}}
    try:
        raw = submission.read_bytes()
        if len(raw) > MAX_NOTEBOOK_BYTES:
            raise ValueError(f"the notebook is {len(raw) >> 20} MiB, more than {MAX_NOTEBOOK_BYTES >> 20}")
        notebook = json.loads(raw)
        if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
            raise ValueError("not a Jupyter notebook")
    except (ValueError, UnicodeDecodeError) as error:
        result["message"] = f"This file could not be read as a notebook ({error}). Score 0."
        result["seconds"] = round(time.perf_counter() - start, 1)
        return result

    steps, problems = ag.steps(notebook, cell_timeout)
    question_of = {s["id"]: s["question"] for s in steps}
    cell_of = {s["id"]: s.get("cell") for s in steps}
    plan = {"steps": steps, "skip": [], "notebook_name": f"{ag.name}.ipynb",
            "notebook": json.dumps(_answers_only(ag.reference, steps)),
            "read_only": _read_only_paths(), "disk_mb": 512,
            "limits": {"memory_mb": memory_mb, "cpu_seconds": int(timeout) + 60, "file_mb": 256,
                       "processes": _processes_limit()}}
    plan.update(_sandbox_setup(ag))
    deadline = time.monotonic() + timeout
    values: dict[str, dict] = {}
    notes: dict[str | None, list[str]] = {}  # question -> what happened in its cells
    status, message = "graded", ""
    for _run in range(MAX_RUNS):
        run = run_sandbox(plan, deadline)
        for event in run["events"]:
            if event.get("event") == "values" and event.get("question") in ag.points:
                values.setdefault(event["question"], event.get("values") or {})
            elif event.get("event") == "error" and event.get("id") in question_of:
                note = _cell_message(event, cell_of, cell_timeout, memory_mb)
                notes.setdefault(question_of[event["id"]], []).append(note)
        if run["ended"] == "done":
            break
        if run["ended"] == "setup-failed":
            status = "error"
            message = "The sandbox could not be set up: " + next(
                e.get("error", "") for e in run["events"] if e.get("event") == "setup-failed")[-1500:]
            break
        step = run["step"]
        if run["ended"] == "timeout":
            status = "timeout"
            where = f" in {_where(step, question_of)}" if step else ""
            message = (f"Grading did not finish within {timeout:g} s and was stopped{where}; the "
                       "questions answered before that keep their points.")
            notes.setdefault(question_of.get(step), []).append(f"Stopped: the submission's time limit "
                                                               f"({timeout:g} s) ran out here.")
            break
        if step is None or step in plan["skip"]:
            status, message = "error", "The sandbox stopped before running any cell: " + run["log"][-800:]
            break
        note = _death_message(run, step, cell_of, cell_timeout, memory_mb)
        notes.setdefault(question_of.get(step), []).append(note)
        plan["skip"] = plan["skip"] + [step] + [f"probe:{q}" for q in values]
    else:
        message = f"The notebook was run {MAX_RUNS} times, each time without a cell that stopped it; gave up."

    checked = _run_check_process(ag.spec_file, {"mode": "check", "values": values,
                                                "expected": ag.expected()})
    total = 0
    for question, possible in ag.points.items():
        outcome = checked["results"].get(question, [])
        score = sum(r["points"] for r in outcome if r["passed"])
        lines = list(notes.get(question, []))
        if question not in values:
            lines.append("This question's tests could not run: the notebook never got this far.")
        for r in outcome:
            label = "hidden test" if r["hidden"] else "public test"
            if r["passed"]:
                lines.append(f"✅ {r['name']} ({label}, {r['points']:g} pt) passed")
            elif r["hidden"]:
                lines.append(f"❌ {r['name']} ({label}, {r['points']:g} pt) failed")
            else:
                lines.append(f"❌ {r['name']} ({label}, {r['points']:g} pt) failed: {r['message']}")
        result["questions"][question] = {
            "score": score, "possible": possible, "feedback": "\n".join(lines),
            "notes": lines[: len(lines) - len(outcome)],
            "tests": [{key: r[key] for key in ("name", "points", "hidden", "passed")}
                      | ({} if r["hidden"] else {"message": r["message"]}) for r in outcome]}
        total += score
    if problems:
        message = " ".join([*problems, message]).strip()
    result.update(status=status, score=total, message=message,
                  notes_outside_questions=notes.get(None, []))
    result["seconds"] = round(time.perf_counter() - start, 1)
    return result


def _answers_only(reference: dict, steps: list[dict]) -> dict:
    """The notebook the sandbox gets as a file: the student notebook with the answers used."""
    notebook = json.loads(json.dumps(reference))
    for step in steps:
        if step["kind"] == "cell":
            notebook["cells"][step["cell"]]["source"] = step["source"]
    return notebook


def _sandbox_setup(ag: Autograder) -> dict:
    """What the assignment's spec hides from the sandbox or replaces in it."""
    setup = {"hide": {}, "replace": {}}
    for module, message in getattr(ag.spec, "HIDE", {}).items():
        spec = importlib.util.find_spec(module)
        if spec and spec.submodule_search_locations:  # the package's own folder (TensorFlow adds
            for location in spec.submodule_search_locations:  # folders inside it once imported)
                if Path(location).name == module:
                    setup["hide"][os.path.realpath(location)] = message
        # Any other copy the sandbox can see (a submission can put any folder on sys.path): the
        # base interpreter's packages, the system's.
        for location in _package_folders(module):
            if os.path.isdir(location):
                setup["hide"][os.path.realpath(location)] = message
        if module == "cnnrnn":
            for location in _helper_package_dirs():
                setup["hide"][os.path.realpath(location)] = message
    if hasattr(ag.spec, "sandbox_files"):
        for path, data in ag.spec.sandbox_files().items():
            encoded = base64.b64encode(data).decode()
            setup["replace"][os.path.realpath(path)] = encoded
            # The same file in any other package folder the sandbox can see.
            inside = re.split(r"/(?:site|dist)-packages/", os.path.realpath(path), maxsplit=1)[-1]
            for copy in _package_folders(f"{inside}"):
                if os.path.isfile(copy):
                    setup["replace"][os.path.realpath(copy)] = encoded
    return setup


def _package_folders(relative: str) -> list[str]:
    """``relative`` (a package, a file in one) in every package folder the sandbox can see."""
    found = []
    for root in sorted({os.path.realpath(sys.base_prefix), sys.prefix, "/usr", "/usr/local"}):
        for packages in ("lib/python3*/site-packages", "lib/python3*/dist-packages",
                         "lib64/python3*/site-packages"):
            found += glob.glob(f"{root}/{packages}/{relative}")
    return found


def _where(step: str | None, question_of: dict) -> str:
    question = question_of.get(step)
    kind = "the tests' calls of your code" if step and step.startswith("probe:") else "a cell"
    return f"{kind} of question {question}" if question else f"{kind} outside the questions"


def _cell_message(event: dict, cell_of: dict, cell_timeout: float, memory_mb: int) -> str:
    where = f"Cell {cell_of[event['id']] + 1}" if cell_of.get(event["id"]) is not None else "A cell"
    if event.get("kind") == "timeout":
        return f"{where} ran past the {cell_timeout:g} s limit per cell and was interrupted."
    if event.get("kind") == "memory":
        return f"{where} ran out of memory (limit {memory_mb} MiB) and was stopped."
    return f"{where} raised an error: {str(event.get('error', ''))[:500]}"


def _death_message(run: dict, step: str, cell_of: dict, cell_timeout: float, memory_mb: int) -> str:
    what = f"cell {cell_of[step] + 1}" if cell_of.get(step) is not None else "the tests' calls of your code"
    if run["ended"] == "step-timeout":
        why = (f"ran past the {cell_timeout:g} s limit and did not stop when interrupted, so the "
               "notebook was killed")
    else:
        ended = run.get("exit") or {}
        if ended.get("reason") == "processes":
            why = f"started more than {ended.get('limit')} processes and was stopped"
        elif ended.get("signal") == "SIGKILL":
            why = f"was killed (SIGKILL: most often for using more than the {memory_mb} MiB memory limit)"
        elif ended.get("signal"):
            why = f"crashed the Python process (it died of {ended['signal']})"
        elif "exit_code" in ended:
            why = f"ended the Python process (exit code {ended['exit_code']}, e.g. os._exit)"
        else:
            why = "stopped the notebook (the kernel died)"
    return (f"The notebook died in {what}: it {why}. It was run again without that cell; the "
            "questions before it keep their points.")


# ------------------------------------------------------------------------------------------
# The tests: in a fresh interpreter, on plain data only
# ------------------------------------------------------------------------------------------


def _run_check_process(spec_file: Path, request: dict) -> dict:
    run = subprocess.run([sys.executable, "-I", str(Path(__file__).resolve()), "_check", str(spec_file)],
                         input=json.dumps(request).encode(), capture_output=True, timeout=CHECK_TIMEOUT,
                         env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    if run.returncode != 0:
        raise RuntimeError(f"the tests could not run:\n{run.stderr.decode(errors='replace')[-3000:]}")
    return json.loads(run.stdout.decode().strip().splitlines()[-1])


def _check_main(spec_file: str) -> None:
    """``grade.py _check SPEC``: expected values, or the tests' verdicts on a submission's values."""
    resource.setrlimit(resource.RLIMIT_AS, (CHECK_MEMORY_MB << 20,) * 2)
    sys.path.insert(0, str(HERE))
    import grading_tools as tools

    request = json.loads(sys.stdin.read())
    module_spec = importlib.util.spec_from_file_location("spec", spec_file)
    spec = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(spec)
    if request["mode"] == "expected":
        expected = {name: tools.encode(value) for name, value in spec.expected().items()}
        print(json.dumps({"expected": json.dumps(expected)}))
        return
    expected = {name: tools.decode(value) for name, value in json.loads(request["expected"]).items()}
    results = {}
    for question, definition in spec.QUESTIONS.items():
        got = tools.Got(request["values"].get(question))
        results[question] = []
        for test in definition["tests"]:
            passed, message = tools.run_test(test, got, expected)
            results[question].append({"name": test.name, "points": test.points, "hidden": test.hidden,
                                      "passed": passed, "message": "" if test.hidden else message})
    print(json.dumps({"results": results}))


# ------------------------------------------------------------------------------------------
# Many submissions, and the command line
# ------------------------------------------------------------------------------------------


def grade_many(autograder, submissions, *, jobs: int = 1, **limits) -> list[dict]:
    """Grade several submissions, ``jobs`` at a time; results in the order given. ``autograder``
    is one zip for all, or a list of zips, one per submission."""
    submissions = list(submissions)
    zips = list(autograder) if isinstance(autograder, (list, tuple)) else [autograder] * len(submissions)
    for zip_ in dict.fromkeys(zips):  # check each zip and compute its expected values first
        Autograder.load(zip_, limits.get("sha256")).expected()
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(lambda pair: grade(*pair, **limits), zip(zips, submissions, strict=True)))


def _print_table(results: list[dict]) -> None:
    names = sorted({q for r in results for q in r["questions"]})
    print(f"{'submission':32} {'status':8} {'score':>9}  " + " ".join(f"{n:>6}" for n in names)
          + f"  {'seconds':>7}")
    for r in results:
        score = f"{r['score']:g}/{r['possible']:g}"
        cells = " ".join(f"{r['questions'][n]['score']:>6g}" if n in r["questions"] else f"{'-':>6}"
                         for n in names)
        print(f"{Path(r['submission']).name:32} {r['status']:8} {score:>9}  {cells}  {r['seconds']:7.1f}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("submissions", nargs="+", type=Path, help="notebooks")
    parser.add_argument("--autograder", "-a", required=True, type=Path, help="the autograder zip")
    parser.add_argument("--sha256", help="the zip's expected SHA-256 (default: from <zip>.sha256)")
    parser.add_argument("--out", "-o", type=Path, default=Path("grades"),
                        help="folder for the results (default: ./grades)")
    parser.add_argument("--cell-timeout", type=float, default=DEFAULT_CELL_TIMEOUT,
                        help=f"seconds one cell may run (default {DEFAULT_CELL_TIMEOUT})")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help=f"seconds the grading of one submission may take (default {DEFAULT_TIMEOUT})")
    parser.add_argument("--memory-mb", type=int, default=DEFAULT_MEMORY_MB,
                        help=f"address space of a submission, MiB (default {DEFAULT_MEMORY_MB})")
    parser.add_argument("--jobs", "-j", type=int, default=1, help="submissions graded at once")
    args = parser.parse_args(argv)

    results = grade_many(args.autograder, args.submissions, jobs=args.jobs, sha256=args.sha256,
                         cell_timeout=args.cell_timeout, timeout=args.timeout, memory_mb=args.memory_mb)
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
    print(f"Results in {args.out}/ (one JSON per submission, with its feedback; grades.csv)")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_check":
        _check_main(sys.argv[2])
    else:
        sys.exit(main())
