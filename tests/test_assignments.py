"""The graded assignments: masters, generated student notebooks, autograders and grading.

One session fixture runs what `make assignments` runs (Otter Assign on every master, then the
autograder on each solutions notebook, which must score full marks; timings to
_build/assignments/timings.json). A second grades, once and two at a time, each generated student
notebook as handed out and the sample submissions committed under assignments/samples/, whose
exact scores are asserted below (and written to _build/assignments/sample-grades.json). Among
a1's samples are the attacks on the grader (``attack_*``, ``cheat_*``: they must score 0 on what
they attack), crashes (``crash_*``: the questions before the crash keep their points) and rule
breaking (``rule_keras``: Keras in the NumPy-only assignment); tools/make_attack_samples.py
writes them. a5 and a6 have a cheat each, scored 0 on what it cheats. One test runs the
Gradescope zip's entry point on a copy of Gradescope's layout and compares its scores with the
local grader's.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
import types
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
import yaml

from conftest import BACKEND  # the Keras backend of this session

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENTS = ROOT / "assignments"
# Built apart per backend: make test builds and grades them on TensorFlow and on JAX at once.
OUT = ROOT / "_build" / ("assignments" if BACKEND == "tensorflow" else f"assignments-{BACKEND}")
MASTERS = sorted(ASSIGNMENTS.glob("a[0-9]*_*.ipynb"))
NAMES = [m.stem for m in MASTERS]
REPOSITORY = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]

# Exact scores of the committed samples, {assignment: {sample: score}}, out of POSSIBLE.
EXPECTED = {
    "a1_convolution": {
        "perfect": 12, "partial": 8, "empty": 0,
        "error": 9,             # q1's cell raises before defining correlate2d: q1 gets 0 of 3
        "infinite_loop": 8,     # q2's cell never ends: interrupted, q2 gets 0 of 4
        "deleted_variable": 9,  # q3's cell deletes max_pool2d: q3 gets 0 of 3
        # Attacks on the grader, each with no honest answer: whatever they try, 0.
        "attack_overwrite_tests": 0,  # rewrites the test files it can find (there are none)
        "attack_result_json": 0,      # writes the grader's result.json, kills its parent
        "attack_patch_otter": 0,      # patches Otter's test runner (the tests never run there)
        "attack_copy_solutions": 0,   # looks for the solutions notebook (it cannot see one)
        "attack_rewrite_zip": 0,      # rewrites the autograder zips (it cannot see them)
        "attack_daemon": 0,           # leaves a process running (it dies with the sandbox)
        "cheat_numpy_testing": 0,     # np.testing / np.allclose always pass (in its process only)
        "cheat_optimize": 0,          # compile(optimize=2) drops asserts (in its process only)
        "cheat_always_equal": 0,      # ndarray/tuple/int subclasses whose == is always true
        # Crashes in question 2 after a correct question 1: q2 is lost, the rest is kept.
        "crash_exit": 8,              # os._exit(3)
        "crash_segfault": 8,          # a segmentation fault
        "attack_processes": 8,        # starts 1,000 processes in q2: stopped at 256, q2 lost
        "memory_hog": 12,             # allocates 8 TiB after defining conv2d: MemoryError, noted
        "kernel_name": 12,            # a correct notebook whose kernel is "conda-env-ml-py"
        "rule_keras": 2,              # Keras in q1 and q3 (NumPy only): ImportError; q4 right
        "rule_scipy_elsewhere": 9,    # SciPy from the base interpreter's packages in q1: hidden too
    },
    "a2_cnn_classifier": {
        "perfect": 9, "partial": 6, "empty": 0,
        # Trains on its test split and on every digit load_digits() gives it: in the sandbox that is
        # only the 1,347 training images, and the grader measures on the 450 it kept back, so the
        # model earns what it earns on digits it never saw (the rule costs it nothing to break).
        "rule_train_on_test": 9,
    },
    "a3_lstm_gradients": {"perfect": 11, "partial": 6, "empty": 0},
    "a4_bidirectional": {"perfect": 10, "partial": 7, "empty": 0},
    "a5_crnn_ctc": {
        "empty": 0,
        # q2's decoder is Keras' ctc_decode under another name (switched off while it is called:
        # 0 of 3); q4 trains for a moment and types its accuracy (only the public test: 1 of 4).
        "cheat_decoder_and_typed_accuracy": 7,
    },
    "a6_head_to_head": {
        "empty": 0,
        # Trains its RNN on 64 logs so that the CNN wins, types a lower accuracy still, and
        # chooses the CNN: the typed accuracy, the ranking and the choice get 0 (the grader
        # measures the models and retrains both architectures itself).
        "cheat_sandbagged_rnn": 7,
    },
}
POSSIBLE = {"a1_convolution": 12, "a2_cnn_classifier": 9, "a3_lstm_gradients": 11, "a4_bidirectional": 10,
            "a5_crnn_ctc": 13, "a6_head_to_head": 10}
# What each cheat of a5 and a6 cheats on: these tests fail, every other test it answered passes.
CHEATED = {
    ("a5_crnn_ctc", "cheat_decoder_and_typed_accuracy"): {
        "greedy_decode_example", "greedy_decode_matches_keras", "reads_new_strings_of_unseen_digits",
        "reported_accuracy_is_the_models"},
    ("a6_head_to_head", "cheat_sandbagged_rnn"): {
        "accuracies_are_the_models", "reported_ranking_reproduces", "choice_is_the_measured_winner"},
}
MISBEHAVING = ("error", "infinite_loop", "deleted_variable", "crash_exit", "crash_segfault")
DAEMON_MARKER = "cnnrnn-attack-daemon-marker"  # in the command line of attack_daemon's process

# Time limits for grading the samples. a1's cells are NumPy only and fast, so a short per-cell
# limit keeps the infinite loop cheap; the others import TensorFlow and train in their cells.
CELL_TIMEOUT = {"a1_convolution": 8}
DEFAULT_CELL_TIMEOUT = 300
SUBMISSION_TIMEOUT = 420
HANG_TIMEOUT = 12  # the submission that ignores interrupts is killed after this many seconds


def _load(name: str):
    """assignments/<name>.py as a module (assignments/ is not a package)."""
    if str(ASSIGNMENTS) not in sys.path:
        sys.path.insert(0, str(ASSIGNMENTS))
    spec = importlib.util.spec_from_file_location(name, ASSIGNMENTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


make_assignments = _load("make_assignments")
grade = _load("grade")


@pytest.fixture(scope="session")
def built():
    """`make assignments`, once: {name: {student, autograder, solutions, grading}}."""
    try:
        return make_assignments.build(OUT, jobs=2)
    except SystemExit as error:
        pytest.fail(f"building the assignments failed: {error}")


def _answer_cells(nb) -> list[int]:
    return [i for i, c in enumerate(nb.cells) if "otter_answer_cell" in c.metadata.get("tags", [])]


def _hanging_submission(notebook: Path, folder: Path, answer: int = 0) -> Path:
    """The notebook with an answer that, at its end, never ends and swallows the interrupts
    (it sleeps, so that it costs no CPU)."""
    nb = nbformat.read(notebook, as_version=4)
    cell = nb.cells[_answer_cells(nb)[answer]]
    cell.source = (cell.source + "\n\nimport time\n\nwhile True:\n    try:\n        time.sleep(1000)\n"
                   "    except BaseException:\n        pass")
    path = folder / f"{notebook.stem}-hangs-in-answer-{answer}.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="session")
def graded(built, tmp_path_factory):
    """Grades every sample, each student notebook as generated and one hanging submission."""
    jobs = {}  # (assignment, sample) -> (autograder, submission, limits)
    for name in NAMES:
        limits = {"cell_timeout": CELL_TIMEOUT.get(name, DEFAULT_CELL_TIMEOUT),
                  "timeout": SUBMISSION_TIMEOUT}
        jobs[name, "student notebook"] = (built[name]["autograder"], built[name]["student"], limits)
        for sample in EXPECTED[name]:
            if sample != "empty":  # empty.ipynb is the student notebook (checked below)
                path = ASSIGNMENTS / "samples" / name / f"{sample}.ipynb"
                jobs[name, sample] = (built[name]["autograder"], path, limits)
    hang_dir = tmp_path_factory.mktemp("hang")
    jobs["a1_convolution", "hang"] = (
        built["a1_convolution"]["autograder"],
        _hanging_submission(built["a1_convolution"]["student"], hang_dir),
        {"cell_timeout": 5, "timeout": HANG_TIMEOUT})
    # A correct notebook whose q2 cell ends in a loop that ignores interrupts: killed, run again.
    jobs["a1_convolution", "hang_in_q2"] = (
        built["a1_convolution"]["autograder"],
        _hanging_submission(ASSIGNMENTS / "samples" / "a1_convolution" / "perfect.ipynb", hang_dir, 1),
        {"cell_timeout": 5, "timeout": 90})
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {key: pool.submit(grade.grade, zip_, sub, **limits)
                   for key, (zip_, sub, limits) in jobs.items()}
        results = {key: future.result() for key, future in futures.items()}
    report = {f"{name}/{sample}": {
        "expected": EXPECTED[name].get(sample, {"hang_in_q2": 8}.get(sample, 0)),
        "score": r["score"], "possible": r["possible"], "status": r["status"], "seconds": r["seconds"],
    } for (name, sample), r in results.items()}
    (OUT / "sample-grades.json").write_text(json.dumps(report, indent=1))
    return results


# ------------------------------------------------------------------------------------------
# The masters and what `make assignments` generates from them
# ------------------------------------------------------------------------------------------


# The part of the book each assignment belongs to (the parts are _toc.yml's captions).
PART_OF = {"a1_convolution": "Part I", "a2_cnn_classifier": "Part I", "a3_lstm_gradients": "Part II",
           "a4_bidirectional": "Part II", "a5_crnn_ctc": "Part III", "a6_head_to_head": "Part IV"}


def test_every_part_of_the_book_has_an_assignment():
    assert set(EXPECTED) == set(NAMES), "every assignment needs expected sample scores"
    assert set(PART_OF) == set(NAMES), "say which part of the book each assignment belongs to"
    parts = {p["caption"].split(" — ")[0] for p in yaml.safe_load((ROOT / "_toc.yml").read_text())["parts"]
             if p["caption"].startswith("Part ")}
    assert parts and parts == set(PART_OF.values()), (parts, PART_OF)
    instructors = (ROOT / "book" / "instructors.md").read_text()
    for name in NAMES:
        assert f"`{name}.ipynb`" in instructors, f"{name} is not on the instructors' page"


@pytest.mark.parametrize("name", NAMES)
def test_solutions_pass_all_their_tests(built, name):
    result = built[name]["grading"]
    assert result["status"] == "graded", result["message"]
    assert result["possible"] == POSSIBLE[name]
    assert result["score"] == result["possible"], json.dumps(result["questions"], indent=1)


def test_make_assignments_writes_timings(built):
    timings = json.loads((OUT / "timings.json").read_text())
    for name in NAMES:
        assert timings[name]["autograding_seconds"] > 0
        assert timings[name]["points"] == POSSIBLE[name]


@pytest.mark.parametrize("name", NAMES)
def test_every_question_has_public_and_hidden_tests_and_points(built, name):
    from otter.test_files import create_test_file

    with zipfile.ZipFile(built[name]["autograder"]) as zf, tempfile.TemporaryDirectory() as tmp:
        tests = sorted(n for n in zf.namelist() if re.fullmatch(r"tests/q\w+\.py", n))
        assert len(tests) >= 3, tests
        for member in tests:
            path = Path(zf.extract(member, tmp))
            cases = create_test_file(str(path), None).test_cases
            assert any(not c.hidden for c in cases), f"{member}: no public test"
            assert any(c.hidden for c in cases), f"{member}: no hidden test"
            assert sum(c.points for c in cases) > 0, f"{member}: no points"
        assert "cell_timeouts.py" in zf.namelist()
        assert "cell_timeouts.install()" in zf.read("run_otter.py").decode()
        assert {"grading/spec.py", "grading/student.ipynb"} <= set(zf.namelist())
    checksum = Path(f"{built[name]['autograder']}.sha256").read_text().split()[0]
    assert checksum == grade.sha256_of(built[name]["autograder"])


@pytest.mark.parametrize("name", NAMES)
def test_student_notebook_has_no_solutions_and_no_hidden_tests(built, name):
    student = nbformat.read(built[name]["student"], as_version=4)
    code = "\n".join(c.source for c in student.cells if c.cell_type == "code")
    assert "SOLUTION" not in code and "# HIDDEN" not in code
    assert student.metadata.otter.assignment_name == name
    public = student.metadata.otter.tests
    assert public and not any("hidden=True" in source for source in public.values())
    # No line of a solution survives into the student's version.
    master = nbformat.read(ASSIGNMENTS / f"{name}.ipynb", as_version=4)
    solution_lines, inside = set(), False
    for cell in master.cells:
        for line in cell.source.splitlines() if cell.cell_type == "code" else []:
            if "# BEGIN SOLUTION" in line or "# END SOLUTION" in line:
                inside = "BEGIN" in line
            elif (inside or line.rstrip().endswith("# SOLUTION")) and len(line.strip()) >= 15:
                solution_lines.add(line.replace("# SOLUTION", "").strip())
    assert solution_lines
    leaked = [line for line in solution_lines if line in code]
    assert not leaked, leaked


def _first_code_cell(notebook: Path) -> str:
    return next(c.source for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "code")


@pytest.mark.parametrize("name", NAMES)
def test_colab_cell_does_nothing_outside_colab(built, name, monkeypatch, tmp_path):
    source = _first_code_cell(built[name]["student"])
    assert "google.colab" in source and f"git+{REPOSITORY}" in source and "otter-grader" in source

    def no_install(*args, **kwargs):
        raise AssertionError("the Colab cell installed something outside Colab")

    monkeypatch.setattr(subprocess, "run", no_install)
    monkeypatch.chdir(tmp_path)
    exec(compile(source, "colab-cell", "exec"), {"__name__": "__main__"})
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("name", NAMES)
def test_colab_cell_installs_and_makes_the_public_tests_reachable(built, name, monkeypatch, tmp_path):
    """Colab simulated: `google.colab._message` returns this notebook, as Colab's does, and otter
    believes it runs in Colab."""
    student = built[name]["student"]
    installs = []
    monkeypatch.setattr(subprocess, "run", lambda command, **kwargs: installs.append(command))
    message = types.ModuleType("google.colab._message")
    message.blocking_request = lambda request, **kwargs: (
        {"ipynb": json.loads(student.read_text())} if request == "get_ipynb" else None)
    colab = types.ModuleType("google.colab")
    colab._message = message
    monkeypatch.setitem(sys.modules, "google.colab", colab)
    monkeypatch.setitem(sys.modules, "google.colab._message", message)
    monkeypatch.chdir(tmp_path)
    exec(compile(_first_code_cell(student), "colab-cell", "exec"), {"__name__": "__main__"})

    assert len(installs) == 1 and "otter-grader==7.0.0" in installs[0]
    assert f"git+{REPOSITORY}" in installs[0]
    public = nbformat.read(student, as_version=4).metadata.otter.tests
    assert sorted(p.stem for p in (tmp_path / "tests").glob("*.py")) == sorted(public)

    # Otter in Colab refuses tests kept in notebook metadata: they must be files in ./tests.
    import otter
    import otter.check.utils

    monkeypatch.setattr(otter.check.utils, "get_ipython", lambda: "<google.colab._shell.Shell>")
    assert otter.check.utils.IPythonInterpreter.COLAB.value.running()
    grader = otter.Notebook(f"{name}.ipynb")  # the cell after the Colab cell
    result = grader.check("q1", global_env={})  # unanswered: the public tests run and fail
    assert result.test_cases and not any(c.hidden for c in result.test_cases)
    assert result.score == 0


# ------------------------------------------------------------------------------------------
# Grading
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_samples_differ_from_the_student_notebook_only_in_answers(built, name):
    student = nbformat.read(built[name]["student"], as_version=4)
    answers = _answer_cells(student)
    for sample in EXPECTED[name]:
        nb = nbformat.read(ASSIGNMENTS / "samples" / name / f"{sample}.ipynb", as_version=4)
        assert len(nb.cells) == len(student.cells), f"{sample}: rebuild it from the student notebook"
        for i, (mine, theirs) in enumerate(zip(nb.cells, student.cells, strict=True)):
            if i not in answers or sample == "empty":
                assert mine.source == theirs.source, f"{name}/{sample}.ipynb cell {i} is stale"
        assert nb.metadata.otter.assignment_name == name


@pytest.mark.parametrize("name", NAMES)
def test_unanswered_student_notebook_fails_every_test(graded, name):
    result = graded[name, "student notebook"]
    assert result["status"] == "graded", result["message"]
    assert result["score"] == 0 and result["possible"] == POSSIBLE[name]
    for question, outcome in result["questions"].items():
        assert outcome["score"] == 0, question
        assert "❌" in outcome["feedback"] and "✅" not in outcome["feedback"], (
            f"{name} {question}: a test passes on the unanswered notebook:\n{outcome['feedback']}")


@pytest.mark.parametrize("name, sample", [(n, s) for n in NAMES for s in EXPECTED[n] if s != "empty"])
def test_sample_gets_its_expected_score(graded, name, sample):
    result = graded[name, sample]
    assert result["status"] == "graded", result["message"]
    assert (result["score"], result["possible"]) == (EXPECTED[name][sample], POSSIBLE[name]), (
        json.dumps(result["questions"], indent=1))


@pytest.mark.parametrize("name, sample", sorted(CHEATED))
def test_cheat_scores_zero_on_what_it_cheats(graded, name, sample):
    result = graded[name, sample]
    outcomes = {t["name"]: t["passed"] for q in result["questions"].values() for t in q["tests"]}
    assert CHEATED[name, sample] <= set(outcomes)
    failed = {test for test, passed in outcomes.items() if not passed}
    assert failed == CHEATED[name, sample], json.dumps(result["questions"], indent=1)


@pytest.mark.parametrize("sample", MISBEHAVING)
def test_misbehaving_submission_still_gets_score_and_feedback(graded, sample):
    result = graded["a1_convolution", sample]
    assert result["status"] == "graded"
    assert result["seconds"] < SUBMISSION_TIMEOUT
    failed = [q for q, outcome in result["questions"].items() if outcome["score"] < outcome["possible"]]
    assert len(failed) == 1, failed  # only the question whose cell misbehaved loses points
    feedback = result["questions"][failed[0]]["feedback"]
    assert "❌" in feedback
    says = {"error": "raised an error: NameError", "infinite_loop": "ran past the 8 s limit",
            "deleted_variable": "max_pool2d is not defined", "crash_exit": "exit code 3",
            "crash_segfault": "SIGSEGV"}[sample]
    assert says in feedback, feedback


def test_grading_that_never_ends_is_stopped_and_scored_zero(graded):
    result = graded["a1_convolution", "hang"]
    assert result["status"] == "timeout" and result["score"] == 0
    assert result["possible"] == POSSIBLE["a1_convolution"]
    assert "did not finish" in result["message"]
    assert result["seconds"] < HANG_TIMEOUT + 30


def test_cell_that_ignores_interrupts_costs_only_its_question(graded):
    result = graded["a1_convolution", "hang_in_q2"]
    assert result["status"] == "graded" and result["score"] == 8, json.dumps(result["questions"], indent=1)
    assert "did not stop when interrupted" in result["questions"]["q2"]["feedback"]


def test_nothing_a_grading_started_is_still_running(graded):
    """attack_daemon left a detached process behind: it died with the sandbox's PID namespace."""
    assert graded["a1_convolution", "attack_daemon"]["status"] == "graded"
    survivors = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().decode(errors="replace")
        except OSError:
            continue
        if DAEMON_MARKER in text or str(ASSIGNMENTS / "sandbox.py") in text:
            survivors.append((cmdline.parent.name, text[:200]))
    assert not survivors, survivors


def test_attacks_leave_the_autograder_unchanged(built, graded):
    for name in NAMES:
        zip_ = built[name]["autograder"]
        assert grade.sha256_of(zip_) == Path(f"{zip_}.sha256").read_text().split()[0]


def test_changed_autograder_is_refused(built, tmp_path):
    copy = tmp_path / "a1-autograder.zip"
    data = bytearray(built["a1_convolution"]["autograder"].read_bytes())
    copy.write_bytes(data)
    Path(f"{copy}.sha256").write_text(grade.sha256_of(copy))
    data[-30] ^= 1
    copy.write_bytes(data)
    with pytest.raises(grade.AutograderChanged):
        grade.grade(copy, ASSIGNMENTS / "samples" / "a1_convolution" / "perfect.ipynb")


def test_feedback_never_shows_a_hidden_test(graded):
    for (name, sample), result in graded.items():
        for question, outcome in result["questions"].items():
            for line in outcome["feedback"].splitlines():
                if "(hidden test" in line:
                    assert re.fullmatch(r"[✅❌] \w+ \(hidden test, [\d.]+ pt\) (passed|failed)", line), (
                        name, sample, question, line)
            assert "default_rng" not in outcome["feedback"] and "def " not in outcome["feedback"]


def test_grade_command_line_writes_results(graded, monkeypatch, tmp_path, capsys):
    """`assignments/grade.py` as an instructor runs it (its grading replayed from above)."""
    sample = ASSIGNMENTS / "samples" / "a1_convolution" / "partial.ipynb"
    monkeypatch.setattr(grade, "grade_many", lambda *args, **kwargs: [graded["a1_convolution", "partial"]])
    assert grade.main(["--autograder", "unused.zip", "--out", str(tmp_path), str(sample)]) == 0
    assert "partial.ipynb" in capsys.readouterr().out
    saved = json.loads((tmp_path / "partial.json").read_text())
    assert saved["score"] == EXPECTED["a1_convolution"]["partial"]
    header, row = (tmp_path / "grades.csv").read_text().splitlines()
    assert header.startswith("submission,status,score,possible,q1")
    assert row.startswith("partial.ipynb,graded,8")


def test_grading_commands_are_on_a_stock_linux():
    """The sandbox needs util-linux's unshare and unprivileged namespaces, nothing else."""
    run = subprocess.run(grade._sandbox_command()[:-3] + ["true"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


# ------------------------------------------------------------------------------------------
# Gradescope
# ------------------------------------------------------------------------------------------


def _gradescope_layout(built, name: str, root: Path) -> Path:
    """Gradescope's /autograder, under root: the zip unpacked into source/, run_autograder
    copied beside it (as Gradescope's image build does), empty submission/ and results/."""
    source = root / "source"
    with zipfile.ZipFile(built[name]["gradescope"]) as zf:
        zf.extractall(source)
        for info in zf.infolist():  # extractall drops the permissions
            (source / info.filename).chmod((info.external_attr >> 16) & 0o777 or 0o644)
    (root / "run_autograder").write_bytes((source / "run_autograder").read_bytes())
    (root / "run_autograder").chmod(0o755)
    (root / "submission").mkdir()
    return root


def test_gradescope_zip_is_the_local_grader(built):
    """Same grading files, same autograder zip, byte for byte; scripts Gradescope can run."""
    name = "a1_convolution"
    with zipfile.ZipFile(built[name]["gradescope"]) as zf:
        names = set(zf.namelist())
        assert {"setup.sh", "run_autograder", "environment.yml"} <= names
        for script in ("setup.sh", "run_autograder"):
            assert (zf.getinfo(script).external_attr >> 16) & 0o111, f"{script} is not executable"
        for member in make_assignments.GRADESCOPE_FILES:
            assert zf.read(member) == (ASSIGNMENTS / member).read_bytes(), member
        assert zf.read(f"{name}-autograder.zip") == built[name]["autograder"].read_bytes()
        environment = yaml.safe_load(zf.read("environment.yml"))
    pins = environment["dependencies"][-1]["pip"]
    requirements = (ROOT / "requirements.txt").read_text().splitlines()
    assert "python=3.11" in environment["dependencies"]
    assert all(pin in requirements for pin in pins if "==" in pin), pins
    assert any(pin.startswith("tensorflow_cpu==") for pin in pins)


def test_gradescope_run_autograder_gives_the_local_scores(built, graded, tmp_path):
    """run_autograder on a copy of Gradescope's layout, with the course's Python: the scores are
    the local grader's, in Gradescope's results.json format, hidden tests kept for later."""
    name, sample = "a1_convolution", "partial"
    root = _gradescope_layout(built, name, tmp_path / "autograder")
    (root / "submission" / f"{name}.ipynb").write_bytes(
        (ASSIGNMENTS / "samples" / name / f"{sample}.ipynb").read_bytes())
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "GRADING_PYTHON": sys.executable}
    run = subprocess.run([str(root / "run_autograder")], cwd=root, env=env, capture_output=True, text=True,
                         timeout=SUBMISSION_TIMEOUT)
    assert run.returncode == 0, run.stdout + run.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    local = graded[name, sample]
    assert results["score"] == local["score"] == EXPECTED[name][sample]
    for question, outcome in local["questions"].items():
        boxes = [t for t in results["tests"] if t["name"].startswith(f"{question}: ")]
        assert sum(t["score"] for t in boxes) == outcome["score"], question
        assert sum(t["max_score"] for t in boxes) == outcome["possible"], question
    for box in results["tests"]:
        assert box["visibility"] == ("after_published" if "hidden" in box["name"] else "visible")
        if "hidden" in box["name"]:
            assert "failed:" not in box["output"], box


def test_gradescope_says_when_it_cannot_grade(built, tmp_path, monkeypatch):
    """No notebook, or a machine without user namespaces: a results.json that says so."""
    gradescope = _load("gradescope")
    root = _gradescope_layout(built, "a1_convolution", tmp_path / "autograder")
    assert gradescope.main(["--root", str(root)]) == 0
    assert "Hand in one notebook, a1_convolution.ipynb" in json.loads(
        (root / "results" / "results.json").read_text())["output"]
    monkeypatch.setattr(gradescope.grade, "sandbox_problem", lambda: "unshare: Operation not permitted")
    (root / "submission" / "a1_convolution.ipynb").write_text("{}")
    assert gradescope.main(["--root", str(root)]) == 0
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 0 and "cannot start the sandbox" in results["output"]
