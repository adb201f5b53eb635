"""One loader per dataset the course uses.

Every loader finds its file the same way (:func:`fetch`):

1. If ``BOOK_DATA_DIR`` is set, it must be a folder. A file of the canonical name found there is used.
2. Otherwise a download kept from an earlier run in the cache folder (:func:`cache_dir`, by default
   ``~/.keras/datasets/cnnrnn``) is used.
3. Otherwise the file is downloaded from its origin into that cache folder.

On every one of these paths the file's SHA-256 is checked against the hashes pinned below in
:data:`SOURCES` before a byte of it is parsed: the course knows what each file must be, whether or not
its origin publishes a checksum. Where an origin's archive bytes are not stable (GitHub's generated
tarballs) or not known to the course, the archive's members are pinned instead (:func:`member_digest`).
A mismatch raises :class:`DatasetError` naming the file, where it was found, the expected and the
found hash, and what to do. The loaders then check what they parsed (counts, shapes, labels) too.
"""

from __future__ import annotations

import hashlib
import http.client
import io
import os
import pickle
import re
import tarfile
import urllib.error
import urllib.parse
import urllib.request
import wave
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

DATA_DIR_VARIABLE = "BOOK_DATA_DIR"

# Seconds to wait for the server to connect or to send the next block; a stalled download fails
# with a message instead of hanging a notebook cell forever.
DOWNLOAD_TIMEOUT_S = 60.0


class DatasetError(RuntimeError):
    """A dataset file is missing, unreachable, truncated or not the file expected."""


@dataclass(frozen=True)
class Pin:
    """A SHA-256 a dataset file may have, and which file has it."""

    sha256: str
    what: str


@dataclass(frozen=True)
class Members:
    """The members of an archive the loader reads, pinned as one digest (see :func:`member_digest`)."""

    pattern: str  # regular expression; its match in a member's name is that member's key
    sha256: str
    count: int
    what: str


@dataclass(frozen=True)
class Source:
    """A dataset file: its canonical name, its origin, and the hashes it may have."""

    filename: str
    url: str  # "" for a file that exists only as a local copy and is never downloaded
    pins: tuple[Pin, ...]
    home: str = ""  # page a person can read about (and download) the dataset from
    members: Members | None = None  # checked when the file matches none of ``pins``


# Patterns of the archive members the loaders read; the member pins use the same ones.
IMDB_MEMBERS = r"aclImdb/(train|test)/(pos|neg)/\d+_\d+\.txt$"
MR_MEMBERS = r"rt-polarity\.(pos|neg)$"
SPOKEN_DIGITS_MEMBERS = r"recordings/(\d)_([a-z]+)_(\d+)\.wav$"

# Every hash below was either published by the origin or by Keras (said so), or computed from the
# course's local copy of the data (../shared/data, whose README says which copies differ from the
# origin's file). Where the local copy is the origin's file byte for byte, one hash serves both.
SOURCES = {
    "mnist": Source(
        "mnist.npz",
        "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz",
        (
            Pin(
                "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
                "the origin's file (the hash keras.datasets.mnist checks)",
            ),
            Pin(
                "06af5dfe73b70e3bc1c36439982b18a8d76803db9b544f6fdf838a37fbb01b64",
                "the course's local copy (the same arrays, repacked from the PNG release)",
            ),
        ),
        "https://keras.io/api/datasets/mnist/",
    ),
    "cifar10": Source(
        "cifar-10-python.tar.gz",
        "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
        (
            Pin(
                "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
                "the origin's file (the hash keras.datasets.cifar10 checks)",
            ),
        ),
        "https://www.cs.toronto.edu/~kriz/cifar.html",
    ),
    "imdb": Source(
        "aclImdb_v1.tar.gz",
        "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz",
        (
            Pin("c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe", "the origin's archive"),
            Pin(
                "44048038e362904fc4e384dd438eeda7c372075af0346a7a1c7a014db8a5b86f",
                "the course's local copy (the labelled reviews only, repacked)",
            ),
        ),
        "https://ai.stanford.edu/~amaas/data/sentiment/",
    ),
    "mr": Source(
        "rt-polaritydata.tar.gz",
        "https://www.cs.cornell.edu/people/pabo/movie-review-data/rt-polaritydata.tar.gz",
        (
            Pin(
                "287a6b6a3f26f809ee2ddc5f363c86f10844e569b51498967c6a1868ebddf8c7",
                "the course's local copy (the two sentence files only, repacked)",
            ),
        ),
        "https://www.cs.cornell.edu/people/pabo/movie-review-data/",
        # The origin's archive hash is not known to the course: its two sentence files are pinned
        # instead, as computed from the local copy (not yet checked against a fresh download).
        Members(
            MR_MEMBERS,
            "42721a929342954161bb55dbf733569196a9b696fd5aa25d3ecbad0511a789ac",
            2,
            "rt-polarity.pos and rt-polarity.neg",
        ),
    ),
    "spoken_digits": Source(
        "free-spoken-digit-dataset.tar.gz",
        "https://github.com/Jakobovski/free-spoken-digit-dataset/archive/refs/tags/v1.0.10.tar.gz",
        (
            Pin(
                "e4a9b8c2504df4d58fce2f07a56ecc64a14c308121a95eb122bb694caaccad6a",
                "the course's local copy (the recordings only, repacked)",
            ),
        ),
        "https://github.com/Jakobovski/free-spoken-digit-dataset",
        # GitHub generates tag archives on request, and their bytes change when GitHub changes its
        # compressor: the 3,000 recordings are pinned instead, as computed from the local copy.
        Members(
            SPOKEN_DIGITS_MEMBERS,
            "b10339b3105453d6f1157cdf5cc093c0b934f0f9766c0df761a57376b21795d6",
            3000,
            "the 3,000 recordings/*.wav",
        ),
    ),
    "beijing_pm25": Source(
        "PRSA_data_2010.1.1-2014.12.31.csv",
        "https://archive.ics.uci.edu/ml/machine-learning-databases/00381/PRSA_data_2010.1.1-2014.12.31.csv",
        (
            Pin(
                "892e9559205d16d32623135c127a3951c12e46ea1e0b3093e107ce89a9fd60e2",
                "the origin's file, the same as the course's local copy",
            ),
        ),
        "https://archive.ics.uci.edu/dataset/381/beijing+pm2+5+data",
    ),
    "daily_min_temperatures": Source(
        "daily-min-temperatures.csv",
        "https://raw.githubusercontent.com/jbrownlee/Datasets/master/daily-min-temperatures.csv",
        (
            Pin(
                "8b9de63ed6789492bf497625e7f9beb96a63d367b4b0a21754006f749fa5e5da",
                "the origin's file, the same as the course's local copy",
            ),
        ),
    ),
    "monthly_sunspots": Source(
        "monthly-sunspots.csv",
        "https://raw.githubusercontent.com/jbrownlee/Datasets/master/monthly-sunspots.csv",
        (
            Pin(
                "c4ec8cc57d9f6fb6ecdb3e1f37f25b6f4badd5124c55931052b0cd2fc3bc71f3",
                "the origin's file, the same as the course's local copy",
            ),
        ),
    ),
    "tiny_shakespeare": Source(
        "tinyshakespeare.txt",
        "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt",
        (
            Pin(
                "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
                "the origin's file, the same as the course's local copy",
            ),
        ),
    ),
    # The text of Dive into Deep Learning's data hub (its published SHA-1 is
    # 090b5e7e70c295757f55df93cb0a180b9691891a), which is the course's local copy byte for byte.
    # Project Gutenberg's own file is not used: Gutenberg rewrites its header and footer over time,
    # so no hash of it holds, and a reader online would train on other text than the book.
    "time_machine": Source(
        "timemachine.txt",
        "http://d2l-data.s3-accelerate.amazonaws.com/timemachine.txt",
        (
            Pin(
                "8424dbd9532ac81f7e5f0b6add90e6952baea29158309d7d1bf3884f4e12c516",
                "the origin's file, the same as the course's local copy",
            ),
        ),
        "https://www.gutenberg.org/ebooks/35",
    ),
    # Offline only: the class-balanced CIFAR-10 subset in the course's local data folder. It is
    # never downloaded; readers online get the full CIFAR-10 instead.
    "cifar10_subset": Source(
        "cifar10-subset.npz",
        "",
        (
            Pin(
                "4ca293b52ca698e9e39fed31d401d3e08466e344369d42ac00ce9b80af06bb43",
                "the course's local CIFAR-10 subset",
            ),
        ),
    ),
}

CIFAR10_SUBSET_FILENAME = SOURCES["cifar10_subset"].filename

# What each published dataset holds; a parsed file must agree. (Tests shrink these to load small
# synthetic files through the same code.)
EXPECTED = {
    "mnist": {"train": 60_000, "test": 10_000},
    "cifar10": {"train": 50_000, "test": 10_000},
    "cifar10_subset": {"train": 10_000, "test": 2_000},
    "imdb": {"per_split_and_class": 12_500},
    "mr": {"per_class": 5_331},
    "spoken_digits": {"recordings": 3_000},
    "beijing_pm25": {"rows": 43_824},
    "daily_min_temperatures": {"rows": 3_650},
    "monthly_sunspots": {"rows": 2_820},
    "tiny_shakespeare": {"characters": 1_115_394},
    "time_machine": {"min_characters": 150_000, "max_characters": 400_000},
}


# --------------------------------------------------------------------------------------------
# Finding and checking files
# --------------------------------------------------------------------------------------------


def data_dir() -> Path | None:
    """The folder named by ``BOOK_DATA_DIR``, or None when it is unset. A wrong value is an error."""
    value = os.environ.get(DATA_DIR_VARIABLE, "").strip()
    if not value:
        return None
    folder = Path(value).expanduser()
    if not folder.is_dir():
        raise DatasetError(
            f"{DATA_DIR_VARIABLE}={value!r} is not a folder. Point it at the folder that holds the "
            "course's data files (in a clone of the course: ../shared/data), or unset it to "
            "download each dataset from its origin."
        )
    return folder


def cache_dir() -> Path:
    """Where downloads are kept: ``$KERAS_HOME/datasets/cnnrnn``, by default ``~/.keras/datasets/cnnrnn``.

    Like Keras, it falls back to ``/tmp/.keras`` when the home folder cannot be written to.
    """
    home = os.environ.get("KERAS_HOME")
    if not home:
        base = os.path.expanduser("~")
        home = os.path.join(base if os.access(base, os.W_OK) else "/tmp", ".keras")
    return Path(home).expanduser() / "datasets" / "cnnrnn"


def _how_to_get(source: Source) -> str:
    where = f" (see {source.home})" if source.home else ""
    if not source.url:
        return (
            f"'{source.filename}' exists only in the course's data folder: copy it from there "
            f"into the folder {DATA_DIR_VARIABLE} names."
        )
    return (
        f"Download {source.url}{where} and save it as '{source.filename}' in a folder, then "
        f"set {DATA_DIR_VARIABLE} to that folder."
    )


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def member_digest(path: Path, pattern: str) -> tuple[str, int]:
    """``(digest, count)`` of the tar members whose names match ``pattern``.

    The digest is the SHA-256 of the manifest: one line ``<key>  <sha256 of the member>`` per
    member, sorted, where the key is the pattern's match in the member's name (so the archive's top
    folder, its compression and its members' dates do not matter; a changed, missing or extra member
    does). The manifest itself is :func:`member_manifest`.
    """
    lines = member_manifest(path, pattern)
    return hashlib.sha256("".join(lines).encode()).hexdigest(), len(lines)


def member_manifest(path: Path, pattern: str) -> list[str]:
    """The sorted lines ``<key>  <sha256>\\n`` of :func:`member_digest`: diff two to find a bad member."""
    regex = re.compile(pattern)
    with tarfile.open(path, "r:*") as archive:
        return _manifest_lines(
            regex,
            ((m.name, archive.extractfile(m).read()) for m in archive if m.isfile() and regex.search(m.name)),
        )


def _manifest_lines(regex: re.Pattern, members) -> list[str]:
    return sorted(
        f"{regex.search(name).group(0)}  {hashlib.sha256(content).hexdigest()}\n" for name, content in members
    )


def _mismatch(source: Source, place: str, path: Path, found: str, members: str) -> DatasetError:
    expected = "; ".join(f"{pin.sha256} ({pin.what})" for pin in source.pins)
    if source.members is not None:
        expected += (
            f"; or, for any archive, a manifest of {source.members.what} hashing to "
            f"{source.members.sha256} (found {members})"
        )
    if place == "local":
        where = f"'{source.filename}' in {DATA_DIR_VARIABLE} ({path.parent})"
        fix = (
            f"Replace it with an intact copy (compare `sha256sum {source.filename}` with the "
            "expected hash): copy it again from the course's data folder, or download "
            f"{source.url} on a machine with network and copy that in. Or unset "
            f"{DATA_DIR_VARIABLE} to download it from its origin."
            if source.url
            else _how_to_get(source)
        )
    elif place == "cache":
        where = f"The cached download {path}"
        fix = (
            "It was changed or damaged after it was downloaded. Delete it and run again to "
            f"download it afresh: rm '{path}'"
        )
    else:
        where = f"The file downloaded from {source.url}"
        fix = (
            "Nothing was kept. Try again: a transfer altered on the way fails this check. If it "
            "fails again, the origin now serves another file: get the course's copy, put it in "
            f"a folder and set {DATA_DIR_VARIABLE} to it, and report it to the course."
        )
    return DatasetError(
        f"{where} is not the '{source.filename}' the course pins: its SHA-256 is {found}, "
        f"expected {expected}. It is truncated, corrupt or a different file. {fix}"
    )


@dataclass(frozen=True)
class _Pending:
    """An archive that matched no whole-file pin: its members are checked as the loader reads them."""

    source: Source
    place: str
    found: str


def _verify(path: Path, source: Source, place: str, defer_members: bool = False):
    """Check ``path`` against the pins of ``source``; return ``(what it was verified as, pending)``.

    An archive that matches no whole-file pin but has pinned members is checked member by member:
    here, in a pass of its own, or, with ``defer_members``, by :func:`_read_tar_members` as the
    loader reads it (``pending`` is then not None), which saves decompressing it twice.

    No verdict is cached between calls: a kernel's file times are too coarse (milliseconds) to
    prove that an unchanged size and mtime mean unchanged bytes, and hashing costs a small
    fraction of parsing (tools/bench_data.py measures it).
    """
    found = sha256_of(path)
    for pin in source.pins:
        if found == pin.sha256:
            return f"SHA-256 {found[:8]}… verified", None
    if source.members is not None and defer_members:
        return (f"SHA-256 of its {source.members.count:,} members verified", _Pending(source, place, found))
    members = "no readable members"
    if source.members is not None:
        try:
            digest, count = member_digest(path, source.members.pattern)
        except (tarfile.TarError, EOFError, OSError, ValueError) as err:
            members = f"none: it cannot be read as a tar archive ({err})"
        else:
            if digest == source.members.sha256:
                return f"SHA-256 of its {count:,} members verified", None
            members = f"{count:,} matching members hashing to {digest}"
    raise _mismatch(source, place, path, found, members)


def _existing_file(path: Path, place: str) -> bool:
    """Whether ``path`` is there; something that is there but is not a file is an error."""
    if not path.exists():
        return False
    if not path.is_file():
        kind = "a folder" if path.is_dir() else "not a regular file"
        fix = (
            f"put the dataset file there, or unset {DATA_DIR_VARIABLE} to download it"
            if place == DATA_DIR_VARIABLE
            else "the next run downloads the file again"
        )
        raise DatasetError(
            f"'{path.name}' in {path.parent} ({place}) is {kind}, not the dataset file. Remove it: {fix}."
        )
    return True


def _download(source: Source, target: Path, looked_in: Path | None) -> str:
    """Download ``source`` into ``target``, verified; a failed or unverified transfer leaves nothing."""
    where = f"It is not in {looked_in} ({DATA_DIR_VARIABLE}), and d" if looked_in else "D"

    def failed(reason: str) -> DatasetError:
        return DatasetError(
            f"Could not get '{source.filename}'. {where}ownloading it from "
            f"{source.url} failed: {reason}. {_how_to_get(source)}"
        )

    if not source.url:
        raise DatasetError(f"'{source.filename}' is not in {looked_in}. {_how_to_get(source)}")
    # Named per process so that two notebooks downloading at once do not write into one file.
    partial = target.with_name(f"{target.name}.{os.getpid()}.part")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        request = urllib.request.Request(source.url, headers={"User-Agent": "cnnrnn"})
        print(f"Downloading {source.filename} from {source.url} …", flush=True)
        with (
            urllib.request.urlopen(request, timeout=DOWNLOAD_TIMEOUT_S) as response,
            open(partial, "wb") as out,
        ):
            announced = response.headers.get("Content-Length")
            received = 0
            while block := response.read(1 << 20):
                out.write(block)
                received += len(block)
        # http.client returns a short body without complaint when the connection closes early.
        if announced is not None and received != int(announced):
            raise failed(
                f"the transfer was cut short: {received:,} of {int(announced):,} bytes "
                "arrived. Run again to retry"
            )
        verified, _ = _verify(partial, source, "download")
    except DatasetError:
        partial.unlink(missing_ok=True)
        raise
    except urllib.error.HTTPError as err:
        partial.unlink(missing_ok=True)
        raise failed(f"the server answered HTTP {err.code} {err.reason}") from err
    except (TimeoutError, urllib.error.URLError, OSError, http.client.HTTPException) as err:
        partial.unlink(missing_ok=True)
        reason = getattr(err, "reason", err)
        if isinstance(err, TimeoutError) or isinstance(reason, TimeoutError):
            reason = f"no answer within {DOWNLOAD_TIMEOUT_S:g} s"
        raise failed(f"{type(err).__name__}: {reason}") from err
    os.replace(partial, target)
    print(f"Saved {source.filename} to the download cache ({verified}).", flush=True)
    return verified


@dataclass(frozen=True)
class Found:
    """A verified dataset file, and a description of it for readers (no machine paths)."""

    path: Path
    description: str
    pending: _Pending | None = None  # members still to check, as they are read


def locate(name: str) -> Found:
    """The verified file ``SOURCES[name]``: the local copy, else a cached download, else a download."""
    source = SOURCES[name]
    folder = data_dir()
    if folder is not None and _existing_file(folder / source.filename, DATA_DIR_VARIABLE):
        path = folder / source.filename
        verified, pending = _verify(path, source, "local", defer_members=True)
        return Found(path, f"{source.filename}: local copy from {DATA_DIR_VARIABLE}, {verified}", pending)
    path = cache_dir() / source.filename
    if source.url and _existing_file(path, "the download cache"):
        verified, pending = _verify(path, source, "cache", defer_members=True)
        return Found(path, f"{source.filename}: cached download, {verified}", pending)
    verified = _download(source, path, folder)
    return Found(path, f"{source.filename}: downloaded from {_host(source.url)}, {verified}")


def _host(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc


def fetch(name: str) -> Path:
    """Path to the verified dataset file ``SOURCES[name]`` (see :func:`locate`)."""
    found = locate(name)
    if found.pending is not None:
        _read_tar_members(found, re.compile(found.pending.source.members.pattern).search)
    return found.path


def _corrupt(path: Path, problem: str) -> DatasetError:
    return DatasetError(
        f"{path} is not the expected dataset file: {problem}. It is truncated, corrupt or a "
        "different file. Delete it (a download is fetched again) or replace it with an intact copy."
    )


def _check(condition: bool, path: Path, problem: str) -> None:
    if not condition:
        raise _corrupt(path, problem)


def _read_tar_members(found: Found, wanted) -> dict[str, bytes]:
    """``{member name: bytes}`` for the regular files in the tar archive for which ``wanted(name)``.

    When the archive's members are still to be verified (``found.pending``), they are hashed here
    as they are read, and a mismatch raises before any of them is returned.
    """
    path, pending = found.path, found.pending
    try:
        with tarfile.open(path, "r:*") as archive:
            members = {
                m.name: archive.extractfile(m).read() for m in archive if m.isfile() and wanted(m.name)
            }
    except (tarfile.TarError, EOFError, OSError, ValueError) as err:
        if pending is not None:
            raise _mismatch(
                pending.source,
                pending.place,
                path,
                pending.found,
                f"none: it cannot be read as a tar archive ({err})",
            ) from err
        raise _corrupt(path, f"it cannot be read as a tar archive ({err})") from err
    if pending is not None:
        pinned = pending.source.members
        regex = re.compile(pinned.pattern)
        lines = _manifest_lines(regex, ((n, c) for n, c in members.items() if regex.search(n)))
        digest = hashlib.sha256("".join(lines).encode()).hexdigest()
        if digest != pinned.sha256:
            raise _mismatch(
                pending.source,
                pending.place,
                path,
                pending.found,
                f"{len(lines):,} matching members hashing to {digest}",
            )
    return members


# --------------------------------------------------------------------------------------------
# What the loaders return
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ImageData:
    """Images as uint8 arrays ``(n, height, width[, channels])`` and integer labels ``(n,)``."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: list[str]
    name: str
    source: str
    is_subset: bool = False

    def __str__(self):
        return (
            f"{self.name}: {len(self.x_train):,} train / {len(self.x_test):,} test images of "
            f"shape {self.x_train.shape[1:]}, {len(self.class_names)} classes ({self.source})"
        )


@dataclass(frozen=True, kw_only=True)
class TextData:
    """Raw texts with integer labels, split into train and test."""

    train_texts: list[str]
    train_labels: np.ndarray
    test_texts: list[str]
    test_labels: np.ndarray
    class_names: list[str]
    name: str
    source: str

    def __str__(self):
        return (
            f"{self.name}: {len(self.train_texts):,} train / {len(self.test_texts):,} test "
            f"texts ({self.source})"
        )


@dataclass(frozen=True, kw_only=True)
class SentenceData:
    """Labelled sentences with no fixed split (the MR benchmark is evaluated by cross-validation)."""

    texts: list[str]
    labels: np.ndarray
    class_names: list[str]
    name: str
    source: str

    def __str__(self):
        return f"{self.name}: {len(self.texts):,} sentences ({self.source})"


@dataclass(frozen=True, kw_only=True)
class AudioData:
    """Mono recordings as float32 arrays in [-1, 1], with digit, speaker and take of each."""

    waves: list[np.ndarray]
    labels: np.ndarray
    speakers: np.ndarray
    takes: np.ndarray
    sample_rate: int
    name: str
    source: str

    @property
    def official_test(self) -> np.ndarray:
        """The dataset's own split: takes 0-4 of every speaker and digit are the test set."""
        return self.takes < 5

    def __str__(self):
        return (
            f"{self.name}: {len(self.waves):,} recordings at {self.sample_rate} Hz, "
            f"{len(set(self.speakers))} speakers ({self.source})"
        )


@dataclass(frozen=True, kw_only=True)
class TableData:
    """A time-indexed table (pandas DataFrame)."""

    frame: "pandas.DataFrame"  # noqa: F821
    name: str
    source: str

    def __str__(self):
        return (
            f"{self.name}: {len(self.frame):,} rows from {self.frame.index[0]} to "
            f"{self.frame.index[-1]}, columns {list(self.frame.columns)} ({self.source})"
        )


@dataclass(frozen=True, kw_only=True)
class CorpusData:
    """One long text."""

    text: str
    name: str
    source: str
    notes: list[str] = field(default_factory=list)

    def __str__(self):
        return f"{self.name}: {len(self.text):,} characters ({self.source})"


# --------------------------------------------------------------------------------------------
# Images
# --------------------------------------------------------------------------------------------


def _load_npz(path: Path, shapes: dict[str, tuple]) -> dict[str, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as f:
            arrays = {key: f[key] for key in shapes if key in f.files}
    except Exception as err:  # zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError
        raise _corrupt(path, f"it cannot be read as a NumPy .npz file ({err})") from err
    for key, shape in shapes.items():
        _check(key in arrays, path, f"it has no array '{key}'")
        _check(
            arrays[key].shape == shape and arrays[key].dtype == np.uint8,
            path,
            f"array '{key}' is {arrays[key].dtype}{arrays[key].shape}, expected uint8{shape}",
        )
    return arrays


def _check_labels(path: Path, labels: np.ndarray, n_classes: int) -> None:
    counts = np.bincount(labels, minlength=n_classes)
    _check(
        len(counts) == n_classes and counts.min() > 0,
        path,
        f"its labels are not the {n_classes} classes 0..{n_classes - 1}",
    )


def load_mnist() -> ImageData:
    """MNIST: 60,000 training and 10,000 test 28x28 grey-scale digits (uint8, 0-255)."""
    found = locate("mnist")
    path, n = found.path, EXPECTED["mnist"]
    a = _load_npz(
        path,
        {
            "x_train": (n["train"], 28, 28),
            "y_train": (n["train"],),
            "x_test": (n["test"], 28, 28),
            "y_test": (n["test"],),
        },
    )
    for split in ("train", "test"):
        _check_labels(path, a[f"y_{split}"], 10)
    return ImageData(
        x_train=a["x_train"],
        y_train=a["y_train"],
        x_test=a["x_test"],
        y_test=a["y_test"],
        class_names=[str(d) for d in range(10)],
        name="MNIST",
        source=found.description,
    )


CIFAR10_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


def _cifar10_from_tar(found: Found) -> dict[str, np.ndarray]:
    path = found.path
    batches = _read_tar_members(found, lambda n: re.search(r"(data|test)_batch(_\d)?$", n))
    names = sorted(batches, key=lambda n: ("test" in n, n))  # data_batch_1..5, then test_batch
    _check(len(names) == 6, path, f"it holds {len(names)} of the 6 CIFAR-10 batches")
    xs, ys = [], []
    for name in names:
        try:
            batch = pickle.loads(batches[name], encoding="bytes")
        except Exception as err:
            raise _corrupt(path, f"batch {name} cannot be unpickled ({err})") from err
        xs.append(np.asarray(batch[b"data"], np.uint8).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
        ys.append(np.asarray(batch[b"labels"], np.uint8))
    return {
        "x_train": np.concatenate(xs[:5]),
        "y_train": np.concatenate(ys[:5]),
        "x_test": xs[5],
        "y_test": ys[5],
    }


def load_cifar10(train_per_class: int | None = None, test_per_class: int | None = None) -> ImageData:
    """CIFAR-10 colour photographs (32x32x3, uint8), 10 classes.

    Online, the full dataset (50,000 train / 10,000 test) is downloaded. Offline, with the course's
    data folder, this returns its class-balanced *subset* (10,000 train / 2,000 test, re-encoded
    pixels): then ``is_subset`` is True and results must not be reported as CIFAR-10 results.

    ``train_per_class`` / ``test_per_class`` keep the first so many images of each class, in the
    file's order, so that a chapter trains on the same sizes whichever file it got: asked for the
    local subset's own sizes (1,000 and 200), the subset comes back unchanged.
    """
    folder = data_dir()
    full_local = folder is not None and (folder / SOURCES["cifar10"].filename).exists()
    subset_local = folder is not None and (folder / CIFAR10_SUBSET_FILENAME).exists()
    if subset_local and not full_local:
        found, n = locate("cifar10_subset"), EXPECTED["cifar10_subset"]
        a = _load_npz(
            found.path,
            {
                "x_train": (n["train"], 32, 32, 3),
                "y_train": (n["train"],),
                "x_test": (n["test"], 32, 32, 3),
                "y_test": (n["test"],),
            },
        )
        is_subset = True
        name = "CIFAR-10 local subset (1,000 train / 200 test images per class)"
    else:
        found, n = locate("cifar10"), EXPECTED["cifar10"]
        a = _cifar10_from_tar(found)
        is_subset, name = False, "CIFAR-10"
        _check(
            a["x_train"].shape == (n["train"], 32, 32, 3) and a["x_test"].shape == (n["test"], 32, 32, 3),
            found.path,
            f"it does not hold {n['train']:,} training and {n['test']:,} test images",
        )
    path = found.path
    for split, per_class in (("train", train_per_class), ("test", test_per_class)):
        _check_labels(path, a[f"y_{split}"], 10)
        if per_class is not None:
            a[f"x_{split}"], a[f"y_{split}"] = _first_per_class(
                a[f"x_{split}"], a[f"y_{split}"], per_class, 10, f"{name} ({split})"
            )
    if train_per_class is not None or test_per_class is not None:
        sizes = [f"{n:,}" if n is not None else "all" for n in (train_per_class, test_per_class)]
        name += f", first {sizes[0]} train / {sizes[1]} test images per class"
    return ImageData(
        x_train=a["x_train"],
        y_train=a["y_train"],
        x_test=a["x_test"],
        y_test=a["y_test"],
        class_names=list(CIFAR10_CLASSES),
        name=name,
        source=found.description,
        is_subset=is_subset,
    )


def _first_per_class(
    x: np.ndarray, y: np.ndarray, per_class: int, n_classes: int, what: str
) -> tuple[np.ndarray, np.ndarray]:
    """The first ``per_class`` examples of each class, in their original order."""
    counts = np.bincount(y, minlength=n_classes)
    if per_class < 1 or counts.min() < per_class:
        raise ValueError(
            f"{what} has {counts.min():,} images in its smallest class: ask for 1 to "
            f"{counts.min():,} per class, not {per_class:,}"
        )
    keep = np.sort(np.concatenate([np.flatnonzero(y == c)[:per_class] for c in range(n_classes)]))
    return x[keep], y[keep]


# --------------------------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------------------------


def load_imdb() -> TextData:
    """IMDB movie reviews (Maas et al. 2011) as raw text: 25,000 train / 25,000 test, half positive.

    Labels: 0 = negative, 1 = positive. Reviews keep their original markup (e.g. ``<br />``).
    Order is deterministic (sorted by file name within each split), not shuffled.
    """
    found = locate("imdb")
    path, per_class = found.path, EXPECTED["imdb"]["per_split_and_class"]
    members = _read_tar_members(found, re.compile(IMDB_MEMBERS).search)
    splits = {}
    for split in ("train", "test"):
        texts, labels = [], []
        for label, polarity in enumerate(("neg", "pos")):
            names = sorted(n for n in members if f"/{split}/{polarity}/" in n)
            _check(
                len(names) == per_class,
                path,
                f"it has {len(names):,} {split}/{polarity} reviews, expected {per_class:,}",
            )
            texts += [members[n].decode("utf-8") for n in names]
            labels += [label] * len(names)
        splits[split] = (texts, np.array(labels, dtype=np.int64))
    return TextData(
        train_texts=splits["train"][0],
        train_labels=splits["train"][1],
        test_texts=splits["test"][0],
        test_labels=splits["test"][1],
        class_names=["negative", "positive"],
        name="IMDB reviews",
        source=found.description,
    )


def load_mr() -> SentenceData:
    """Movie Review sentence polarity v1.0 (Pang & Lee 2005): 5,331 positive + 5,331 negative.

    Labels: 0 = negative, 1 = positive; negatives first. The text is lower-cased and tokenised as
    published. There is no official split: Kim (2014) reports 10-fold cross-validation.
    """
    found = locate("mr")
    path, per_class = found.path, EXPECTED["mr"]["per_class"]
    members = _read_tar_members(found, re.compile(MR_MEMBERS).search)
    texts, labels = [], []
    for label, polarity in enumerate(("neg", "pos")):
        names = [n for n in members if n.endswith(f".{polarity}")]
        _check(len(names) == 1, path, f"it has no rt-polarity.{polarity}")
        # split on "\n" only: splitlines() would also split on Latin-1 characters such as U+0085
        lines = [line.strip() for line in members[names[0]].decode("latin-1").split("\n")]
        lines = [line for line in lines if line]
        _check(
            len(lines) == per_class,
            path,
            f"rt-polarity.{polarity} has {len(lines):,} sentences, expected {per_class:,}",
        )
        texts += lines
        labels += [label] * len(lines)
    return SentenceData(
        texts=texts,
        labels=np.array(labels, dtype=np.int64),
        class_names=["negative", "positive"],
        name="MR sentence polarity",
        source=found.description,
    )


def _strip_gutenberg(text: str) -> str:
    """The body of a Project Gutenberg e-text, without its licence header and footer."""
    start = re.search(r"\*\*\* ?START OF (THE|THIS) PROJECT GUTENBERG EBOOK[^\n]*\n", text)
    end = re.search(r"\*\*\* ?END OF (THE|THIS) PROJECT GUTENBERG EBOOK", text)
    if start and end:
        text = text[start.end() : end.start()]
    return text.strip() + "\n"


def load_tiny_shakespeare() -> CorpusData:
    """Tiny Shakespeare (Karpathy's char-rnn): 1,115,394 characters of plays."""
    found = locate("tiny_shakespeare")
    path, n = found.path, EXPECTED["tiny_shakespeare"]["characters"]
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as err:
        raise _corrupt(path, f"it is not UTF-8 text ({err})") from err
    _check(len(text) == n, path, f"it has {len(text):,} characters, expected {n:,}")
    return CorpusData(text=text, name="Tiny Shakespeare", source=found.description)


def load_time_machine() -> CorpusData:
    """H. G. Wells, *The Time Machine* (Project Gutenberg e-book 35), licence header removed."""
    found = locate("time_machine")
    path, n = found.path, EXPECTED["time_machine"]
    try:
        text = _strip_gutenberg(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError as err:
        raise _corrupt(path, f"it is not UTF-8 text ({err})") from err
    _check(
        n["min_characters"] < len(text) < n["max_characters"] and "The Time Traveller" in text,
        path,
        f"it has {len(text):,} characters and does not read as The Time Machine",
    )
    return CorpusData(text=text, name="The Time Machine", source=found.description)


# --------------------------------------------------------------------------------------------
# Audio
# --------------------------------------------------------------------------------------------


def _read_wav(data: bytes) -> tuple[np.ndarray, int]:
    with wave.open(io.BytesIO(data)) as w:
        frames = w.readframes(w.getnframes())
        width, channels, rate = w.getsampwidth(), w.getnchannels(), w.getframerate()
    if width == 2:
        samples = np.frombuffer(frames, "<i2").astype(np.float32) / 32768.0
    elif width == 1:
        samples = (np.frombuffer(frames, np.uint8).astype(np.float32) - 128.0) / 128.0
    else:
        raise ValueError(f"{8 * width}-bit samples are not supported")
    return samples.reshape(-1, channels).mean(axis=1), rate


def load_spoken_digits() -> AudioData:
    """Free Spoken Digit Dataset: 3,000 recordings of the digits 0-9 (6 speakers x 10 x 50 takes).

    ``takes < 5`` is the dataset's official test set (see :attr:`AudioData.official_test`).
    """
    found = locate("spoken_digits")
    path, n = found.path, EXPECTED["spoken_digits"]["recordings"]
    pattern = re.compile(SPOKEN_DIGITS_MEMBERS)
    members = _read_tar_members(found, pattern.search)
    _check(len(members) == n, path, f"it has {len(members):,} recordings, expected {n:,}")
    waves, labels, speakers, takes = [], [], [], []
    for name in sorted(members):
        digit, speaker, take = pattern.search(name).groups()
        try:
            samples, rate = _read_wav(members[name])
        except (wave.Error, EOFError, ValueError) as err:
            raise _corrupt(path, f"{name} is not a readable WAV file ({err})") from err
        _check(rate == 8000, path, f"{name} is sampled at {rate} Hz, expected 8000")
        waves.append(samples)
        labels.append(int(digit))
        speakers.append(speaker)
        takes.append(int(take))
    return AudioData(
        waves=waves,
        labels=np.array(labels),
        speakers=np.array(speakers),
        takes=np.array(takes),
        sample_rate=8000,
        name="Free Spoken Digit Dataset",
        source=found.description,
    )


# --------------------------------------------------------------------------------------------
# Time series
# --------------------------------------------------------------------------------------------


def _read_csv(path: Path, expected_rows: int, columns: list[str], **kwargs):
    import pandas as pd

    try:
        frame = pd.read_csv(path, **kwargs)
    except Exception as err:  # pandas raises several parser error types
        raise _corrupt(path, f"it cannot be parsed as CSV ({err})") from err
    _check(list(frame.columns) == columns, path, f"its columns are {list(frame.columns)}, expected {columns}")
    _check(len(frame) == expected_rows, path, f"it has {len(frame):,} rows, expected {expected_rows:,}")
    return frame


def load_beijing_pm25() -> TableData:
    """Beijing PM2.5 and weather, hourly 2010-2014 (43,824 rows), indexed by time.

    ``pm2.5`` is NaN where the original has NA; handling the gaps is the forecasting chapter's job.
    Columns: pm2.5 (ug/m^3), DEWP (dew point, C), TEMP (C), PRES (hPa), cbwd (wind direction),
    Iws (cumulated wind speed, m/s), Is / Ir (cumulated hours of snow / rain).
    """
    import pandas as pd

    found = locate("beijing_pm25")
    path = found.path
    columns = [
        "No",
        "year",
        "month",
        "day",
        "hour",
        "pm2.5",
        "DEWP",
        "TEMP",
        "PRES",
        "cbwd",
        "Iws",
        "Is",
        "Ir",
    ]
    frame = _read_csv(path, EXPECTED["beijing_pm25"]["rows"], columns)
    frame.index = pd.to_datetime(frame[["year", "month", "day", "hour"]])
    frame.index.name = "time"
    _check(
        frame.index.is_monotonic_increasing and frame.index.is_unique,
        path,
        "its rows are not one per hour in time order",
    )
    frame = frame.drop(columns=["No", "year", "month", "day", "hour"])
    return TableData(frame=frame, name="Beijing PM2.5", source=found.description)


def _univariate(name: str, columns: list[str], title: str) -> TableData:
    import pandas as pd

    found = locate(name)
    path = found.path
    frame = _read_csv(path, EXPECTED[name]["rows"], columns)
    try:
        frame.index = pd.to_datetime(frame.pop(columns[0]))
    except (ValueError, TypeError) as err:
        raise _corrupt(path, f"its first column is not a date ({err})") from err
    _check(pd.api.types.is_numeric_dtype(frame[columns[1]]), path, f"column '{columns[1]}' is not numeric")
    return TableData(frame=frame, name=title, source=found.description)


def load_daily_min_temperatures() -> TableData:
    """Daily minimum temperature in Melbourne (degrees C), 1981-1990: 3,650 days."""
    return _univariate("daily_min_temperatures", ["Date", "Temp"], "Daily minimum temperatures, Melbourne")


def load_monthly_sunspots() -> TableData:
    """Monthly mean sunspot number from January 1749: 2,820 months."""
    return _univariate("monthly_sunspots", ["Month", "Sunspots"], "Monthly sunspots")


# Every loader, by the name of the source it reads (CIFAR-10's reads the course's subset,
# "cifar10_subset", when BOOK_DATA_DIR holds only that).
LOADERS = {
    "mnist": load_mnist,
    "cifar10": load_cifar10,
    "imdb": load_imdb,
    "mr": load_mr,
    "spoken_digits": load_spoken_digits,
    "beijing_pm25": load_beijing_pm25,
    "daily_min_temperatures": load_daily_min_temperatures,
    "monthly_sunspots": load_monthly_sunspots,
    "tiny_shakespeare": load_tiny_shakespeare,
    "time_machine": load_time_machine,
}
