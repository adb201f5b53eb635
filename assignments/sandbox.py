"""The inside of the grading sandbox: runs one submission's cells and reports plain values.

``grade.py`` starts this file as

    unshare --user --map-root-user --pid --fork --kill-child --net --mount --ipc --uts \\
        python -I sandbox.py            (plan on stdin, reports on a pipe)

so it runs as process 1 of new user, PID, network, mount, IPC and UTS namespaces: no network
(only a loopback that is down), no view of other processes, and when it exits every process the
submission started dies with it. Process 1 (``init``) builds a new root file system in a tmpfs
that holds only

* read-only bind mounts of the system directories, the Python installation and its packages, and
  of the course's helper package alone (not the repository, whose masters hold the solutions);
* files the plan asks to hide (an ``__init__.py`` that raises ImportError over a package, e.g.
  Keras in a NumPy-only assignment) or replace (a data file without the grader's test split);
* an empty writable ``/submission`` (with the submission's notebook in it) and ``/tmp``;

``chroot``s into it, and forks the *worker*, which drops every capability (bounding set too),
sets ``no_new_privs`` and resource limits (address space, CPU time, file size, open files,
processes), and runs the steps of the plan in order in one namespace: the submission's cells,
each under a per-cell alarm, and after each question the question's *probe*, instructor code that
calls the submission's functions on the tests' inputs and returns a dict of values.

Nothing of the submission leaves the sandbox but what goes down that pipe, one JSON object a line:
``{"event": "step", "id": ...}`` when a step starts, ``{"event": "error", ...}`` when a cell
fails, ``{"event": "values", "question": ..., "values": {...}}`` with every value turned into
plain data (numbers, strings of bounded length, float64 arrays as base64) and ``{"event":
"exit", ...}`` from ``init`` with how the worker ended. The grader treats all of it as untrusted
data: it never executes any of it, and runs the tests on it in a fresh interpreter.

Standard library only until the cells run (the cells bring their own imports).
"""

from __future__ import annotations

import base64
import ctypes
import json
import os
import resource
import signal
import sys
import time
import traceback

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
PR_SET_DUMPABLE, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 4, 24, 38
PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 47, 4
ROOT = "/tmp/sandbox-root"  # in the new mount namespace, on a tmpfs over /tmp
MAX_STRING = 200_000  # a Keras model's JSON configuration fits
MAX_ITEMS = 5_000_000  # numbers in one array

libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]


def _encode(text):
    return text.encode() if text is not None else None


def _mount(source, target, fstype=None, flags=0, data=None):
    if libc.mount(_encode(source), _encode(target), _encode(fstype), flags, _encode(data)) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"mount {source} on {target}: {os.strerror(errno)}")


def _bind(source, target, writable=False, device=False):
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    elif not os.path.exists(target):
        os.makedirs(os.path.dirname(target), exist_ok=True)
        open(target, "a").close()
    _mount(source, target, flags=MS_BIND | MS_REC)
    flags = MS_BIND | MS_REMOUNT | MS_NOSUID | (0 if device else MS_NODEV) | (0 if writable else MS_RDONLY)
    _mount(None, target, flags=flags)


def _inside(path):
    return ROOT + os.path.abspath(path)


def build_root(plan):
    """The new root: system and Python read-only, /work and /tmp writable, nothing else."""
    _mount(None, "/", flags=MS_REC | MS_PRIVATE)
    _mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"size={plan['disk_mb']}m,mode=755")
    os.makedirs(ROOT)
    for path in plan["read_only"]:
        if os.path.islink(path):  # /bin -> usr/bin on merged-/usr systems
            os.makedirs(os.path.dirname(_inside(path)), exist_ok=True)
            if not os.path.lexists(_inside(path)):
                os.symlink(os.readlink(path), _inside(path))
        elif os.path.exists(path) and not os.path.exists(_inside(path)):
            _bind(path, _inside(path))
    for device in ("null", "zero", "random", "urandom"):
        _bind(f"/dev/{device}", _inside(f"/dev/{device}"), writable=True, device=True)
    os.makedirs(_inside("/proc"))
    _mount("proc", _inside("/proc"), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    hidden = "/tmp/.hidden"
    for i, (path, message) in enumerate(sorted(plan.get("hide", {}).items())):
        if os.path.isdir(path):  # a package: its directory becomes one that raises on import
            fake = f"{hidden}/{i}"
            os.makedirs(fake)
            with open(f"{fake}/__init__.py", "w") as f:
                f.write(f"raise ImportError({message!r})\n")
            _bind(fake, _inside(path))
    for i, (path, content) in enumerate(sorted(plan.get("replace", {}).items())):
        fake = f"{hidden}/r{i}"
        os.makedirs(hidden, exist_ok=True)
        with open(fake, "wb") as f:
            f.write(base64.b64decode(content))
        _bind(fake, _inside(path))
    for folder in ("/submission", "/tmp", "/home"):
        os.makedirs(_inside(folder), mode=0o777, exist_ok=True)
        os.chmod(_inside(folder), 0o1777 if folder == "/tmp" else 0o777)
    with open(_inside(f"/submission/{plan['notebook_name']}"), "w") as f:
        f.write(plan["notebook"])
    os.chroot(ROOT)
    os.chdir("/submission")


def drop_privileges(plan):
    """No capability can ever come back (bounding set emptied, no_new_privs), then the limits."""
    for cap in range(64):
        libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)
    libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                    ("inheritable", ctypes.c_uint32)]

    header, data = Header(0x20080522, 0), (Data * 2)()
    if libc.capset(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capset")
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "no_new_privs")
    limits = plan["limits"]
    resource.setrlimit(resource.RLIMIT_AS, (limits["memory_mb"] << 20,) * 2)
    resource.setrlimit(resource.RLIMIT_CPU, (limits["cpu_seconds"],) * 2)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits["file_mb"] << 20,) * 2)
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if limits.get("processes"):
        resource.setrlimit(resource.RLIMIT_NPROC, (limits["processes"],) * 2)


# ------------------------------------------------------------------------------------------
# The worker: run the steps, report plain values
# ------------------------------------------------------------------------------------------


class CellTimeout(BaseException):
    """Raised in a cell that runs past its limit (a BaseException, so `except Exception` in the
    submission does not swallow it)."""


def _alarm(signum, frame):
    raise CellTimeout()


def plain(value, depth=0):
    """A value as data only: {"t": kind, ...}. No method of the submission's objects decides
    what is sent but the array conversion, and whatever that returns is only numbers."""
    import numbers
    import operator

    kind = type(value)
    if value is None:
        return {"t": "none"}
    if kind is bool:
        return {"t": "bool", "v": bool(value)}
    if isinstance(value, int) and not isinstance(value, bool):  # int and its subclasses
        number = int.__int__(value)
        return {"t": "int", "v": number} if abs(number) < 2**63 else {"t": "other", "type": "int"}
    if isinstance(value, float):  # float, numpy.float64 and any subclass: the C double inside
        return {"t": "float", "v": float.__float__(value)}
    if isinstance(value, str):
        text = str.__str__(value)
        return {"t": "str", "v": text[:MAX_STRING], "len": len(text)}
    if depth < 3 and isinstance(value, (tuple, list)):
        items = list(tuple.__iter__(value) if isinstance(value, tuple) else list.__iter__(value))
        return {"t": "tuple" if isinstance(value, tuple) else "list",
                "v": [plain(v, depth + 1) for v in items[:1000]]}
    import numpy as np

    if isinstance(value, numbers.Integral) and not isinstance(value, np.ndarray):  # numpy.int64
        number = int.__int__(operator.index(value))
        return {"t": "int", "v": number} if abs(number) < 2**63 else {"t": "other", "type": "int"}
    try:
        array = np.asarray(value)
        if array.dtype.kind not in "biuf" or array.size > MAX_ITEMS:
            return {"t": "other", "type": kind.__name__[:100]}
        dtype = np.dtype(array.dtype).name
        data = np.array(array, dtype=np.float64, copy=True).view(np.ndarray).tobytes()
        return {"t": "array", "shape": [int(n) for n in np.shape(array)], "dtype": dtype[:20],
                "pytype": kind.__name__[:100], "b64": base64.b64encode(data).decode()}
    except Exception:
        return {"t": "other", "type": kind.__name__[:100]}


def _kind(error):
    """The exception's name if Python defines it (a class of the submission's could carry data
    in its name)."""
    import builtins

    name = type(error).__name__
    return name if getattr(builtins, name, None) is type(error) else "an exception of its own class"


def _describe(error):
    """What a failed cell says in the feedback: the error, cut short (the submission's messages
    could otherwise carry out what it saw of the tests' inputs)."""
    text = f"{_kind(error)}: {str(error)}"
    return text if len(text) <= 300 else text[:300] + "..."


def run_steps(plan, report):
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        transform = TransformerManager().transform_cell
    except Exception:
        transform = lambda source: source  # noqa: E731
    namespace = {"__name__": "__main__", "__builtins__": __builtins__}
    sys.modules["__main__"].__dict__.update(namespace)
    namespace = sys.modules["__main__"].__dict__
    signal.signal(signal.SIGALRM, _alarm)
    skip = set(plan.get("skip", []))
    for step in plan["steps"]:
        if step["id"] in skip:
            continue
        report({"event": "step", "id": step["id"]})
        if step["kind"] == "cell":
            signal.setitimer(signal.ITIMER_REAL, step["timeout"])
            try:
                exec(compile(transform(step["source"]), f"<cell {step['cell']}>", "exec"), namespace)
            except CellTimeout:
                report({"event": "error", "id": step["id"], "kind": "timeout"})
            except MemoryError:
                report({"event": "error", "id": step["id"], "kind": "memory"})
            except BaseException as error:  # noqa: BLE001 (SystemExit, KeyboardInterrupt too)
                report({"event": "error", "id": step["id"], "kind": "raised", "error": _describe(error)})
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        else:  # a probe: instructor code computing the values one question's tests check
            cases = {}
            try:
                probe_namespace = {}
                exec(compile(step["source"], "<probe>", "exec"), probe_namespace)
                thunks = probe_namespace["probe"](namespace)
            except BaseException as error:  # noqa: BLE001
                thunks = {}
                cases["__probe__"] = {"t": "error", "error": _describe(error)}
            for name, thunk in thunks.items():
                signal.setitimer(signal.ITIMER_REAL, step["timeout"])
                try:
                    cases[name] = plain(thunk())
                except CellTimeout:
                    cases[name] = {"t": "error", "error": "timed out"}
                except KeyError as error:
                    cases[name] = {"t": "error", "error": f"{error.args[0]} is not defined",
                                   "undefined": True}
                except BaseException as error:  # noqa: BLE001 (its message stays here: see _describe)
                    cases[name] = {"t": "error", "error": f"calling your code raised {_kind(error)}"}
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
            report({"event": "values", "question": step["question"], "values": cases})
    report({"event": "done"})


def worker(plan, channel):
    drop_privileges(plan)
    out = os.fdopen(channel, "w", buffering=1)

    def report(message):
        try:
            out.write(json.dumps(message) + "\n")
            out.flush()
        except Exception:  # the submission closed or filled the channel: it loses the rest
            pass

    try:
        run_steps(plan, report)
    except BaseException:  # noqa: BLE001
        report({"event": "internal", "error": traceback.format_exc()[-2000:]})
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def init():
    plan = json.loads(sys.stdin.read())
    channel = plan["channel"]
    try:
        build_root(plan)
    except Exception:
        os.write(channel, (json.dumps({"event": "setup-failed", "error": traceback.format_exc()[-3000:]})
                           + "\n").encode())
        raise SystemExit(3) from None
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os.setsid()
        worker(plan, channel)
    # Reap every process (orphans become this one's children) and count them: more than the limit
    # and all but this one are killed (this works as root too, where RLIMIT_NPROC does not).
    status, too_many, limit = None, False, plan["limits"].get("sandbox_processes", 256)
    while status is None:
        try:
            while True:
                child, child_status = os.waitpid(-1, os.WNOHANG)
                if child == 0:
                    break
                if child == pid:
                    status = child_status
        except ChildProcessError:
            break
        if status is None:
            if sum(1 for name in os.listdir("/proc") if name.isdigit()) > limit:
                too_many = True
                os.kill(-1, signal.SIGKILL)  # every process in this namespace but process 1
            time.sleep(0.05)
    if too_many:
        ended = {"signal": "SIGKILL", "reason": "processes", "limit": limit}
    elif status is None:
        ended = {}
    elif os.WIFSIGNALED(status):
        signum = os.WTERMSIG(status)
        ended = {"signal": signal.Signals(signum).name if signum in signal.Signals._value2member_map_
                 else str(signum)}
    else:
        ended = {"exit_code": os.WEXITSTATUS(status)}
    os.write(channel, (json.dumps({"event": "exit", **ended,
                                   "seconds": round(time.monotonic() - started, 2)}) + "\n").encode())
    # Process 1 exits: the kernel kills whatever the submission left running in this namespace.


if __name__ == "__main__":
    init()
