"""One loader per dataset the course uses.

Every loader finds its file the same way (:func:`fetch`):

1. If ``BOOK_DATA_DIR`` is set, it must be a folder. A file of the canonical name found there is
   used, after checking it against the folder's ``SHA256SUMS.json`` when that lists it.
2. Otherwise the file is downloaded from its origin into Keras' cache (``~/.keras/datasets/cnnrnn``)
   with ``keras.utils.get_file``, which verifies the SHA-256 wherever the origin's checksum is known.

The loaders then check what they parsed (counts, shapes, labels) against the published dataset, so a
truncated, corrupt or different file raises :class:`DatasetError` instead of returning other data.
Each error names the file, where it was looked for, and how to get it.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import re
import tarfile
import wave
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

DATA_DIR_VARIABLE = "BOOK_DATA_DIR"


class DatasetError(RuntimeError):
    """A dataset file is missing, unreachable, truncated or not the file expected."""


@dataclass(frozen=True)
class Source:
    """Where a dataset file comes from: its canonical file name, origin URL and published hash."""

    filename: str
    url: str
    sha256: str | None = None  # None where the origin publishes no checksum
    home: str = ""  # page a person can read about (and download) the dataset from


SOURCES = {
    "mnist": Source(
        "mnist.npz", "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz",
        # The hash Keras itself checks (keras.datasets.mnist).
        "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
        "https://keras.io/api/datasets/mnist/"),
    "cifar10": Source(
        "cifar-10-python.tar.gz", "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
        # The hash Keras itself checks (keras.datasets.cifar10).
        "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
        "https://www.cs.toronto.edu/~kriz/cifar.html"),
    "imdb": Source(
        "aclImdb_v1.tar.gz", "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz",
        home="https://ai.stanford.edu/~amaas/data/sentiment/"),
    "mr": Source(
        "rt-polaritydata.tar.gz",
        "https://www.cs.cornell.edu/people/pabo/movie-review-data/rt-polaritydata.tar.gz",
        home="https://www.cs.cornell.edu/people/pabo/movie-review-data/"),
    "spoken_digits": Source(
        "free-spoken-digit-dataset.tar.gz",
        "https://github.com/Jakobovski/free-spoken-digit-dataset/archive/refs/tags/v1.0.10.tar.gz",
        home="https://github.com/Jakobovski/free-spoken-digit-dataset"),
    "beijing_pm25": Source(
        "PRSA_data_2010.1.1-2014.12.31.csv",
        "https://archive.ics.uci.edu/ml/machine-learning-databases/00381/"
        "PRSA_data_2010.1.1-2014.12.31.csv",
        home="https://archive.ics.uci.edu/dataset/381/beijing+pm2+5+data"),
    "daily_min_temperatures": Source(
        "daily-min-temperatures.csv",
        "https://raw.githubusercontent.com/jbrownlee/Datasets/master/daily-min-temperatures.csv"),
    "monthly_sunspots": Source(
        "monthly-sunspots.csv",
        "https://raw.githubusercontent.com/jbrownlee/Datasets/master/monthly-sunspots.csv"),
    "tiny_shakespeare": Source(
        "tinyshakespeare.txt",
        "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt"),
    "time_machine": Source(
        "timemachine.txt", "https://www.gutenberg.org/cache/epub/35/pg35.txt",
        home="https://www.gutenberg.org/ebooks/35"),
}

# Offline only: the class-balanced CIFAR-10 subset in the course's local data folder. It is never
# downloaded, so it has no URL; readers online get the full CIFAR-10 instead.
CIFAR10_SUBSET_FILENAME = "cifar10-subset.npz"


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
            "download each dataset from its origin.")
    return folder


def _how_to_get(source: Source) -> str:
    where = f" (see {source.home})" if source.home else ""
    return (f"Download {source.url}{where} and save it as '{source.filename}' in a folder, then "
            f"set {DATA_DIR_VARIABLE} to that folder.")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_verified: dict[tuple[str, int, int], str] = {}  # (path, size, mtime) -> hash, to hash each file once


def _verify_against_folder_sums(path: Path) -> None:
    """Check ``path`` against the ``SHA256SUMS.json`` beside it, when that file lists it."""
    sums_file = path.parent / "SHA256SUMS.json"
    if not sums_file.is_file():
        return
    try:
        expected = json.loads(sums_file.read_text()).get(path.name)
    except (json.JSONDecodeError, AttributeError) as err:
        raise DatasetError(f"{sums_file} is not a valid JSON object of file names to SHA-256 "
                           f"hashes ({err}); restore it from the course's data folder.") from err
    if expected is None:
        return
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _verified:
        _verified[key] = sha256_of(path)
    if _verified[key] != expected:
        raise DatasetError(
            f"{path} does not match its SHA-256 in {sums_file} (expected {expected[:12]}…, got "
            f"{_verified[key][:12]}…): the file is truncated or corrupt. Replace it with an intact "
            "copy of the course's data folder, or unset "
            f"{DATA_DIR_VARIABLE} to download the dataset from its origin.")


def _download(source: Source, looked_in: Path | None) -> Path:
    import keras

    try:
        return Path(keras.utils.get_file(fname=source.filename, origin=source.url,
                                         file_hash=source.sha256, cache_subdir="cnnrnn"))
    except Exception as err:  # no network, HTTP error, or a checksum mismatch after download
        where = f"It is not in {looked_in}, and d" if looked_in else "D"
        raise DatasetError(
            f"Could not get '{source.filename}'. {where}ownloading it from {source.url} failed: "
            f"{type(err).__name__}: {err}. {_how_to_get(source)}") from err


def fetch(name: str) -> Path:
    """Path to the dataset file ``SOURCES[name]``: the local copy if there is one, else a download."""
    source = SOURCES[name]
    folder = data_dir()
    if folder is not None and (folder / source.filename).is_file():
        path = folder / source.filename
        _verify_against_folder_sums(path)
        return path
    return _download(source, folder)


def _describe(path: Path) -> str:
    folder = data_dir()
    if folder is not None and path.parent == folder:
        return f"local copy {path}"
    return f"downloaded to {path}"


def _corrupt(path: Path, problem: str) -> DatasetError:
    return DatasetError(
        f"{path} is not the expected dataset file: {problem}. It is truncated, corrupt or a "
        "different file. Delete it (a download is fetched again) or replace it with an intact copy.")


def _check(condition: bool, path: Path, problem: str) -> None:
    if not condition:
        raise _corrupt(path, problem)


def _read_tar_members(path: Path, wanted) -> dict[str, bytes]:
    """``{member name: bytes}`` for the regular files in the tar archive for which ``wanted(name)``."""
    try:
        with tarfile.open(path, "r:*") as archive:
            return {m.name: archive.extractfile(m).read()
                    for m in archive if m.isfile() and wanted(m.name)}
    except (tarfile.TarError, EOFError, OSError, ValueError) as err:
        raise _corrupt(path, f"it cannot be read as a tar archive ({err})") from err


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
        return (f"{self.name}: {len(self.x_train):,} train / {len(self.x_test):,} test images of "
                f"shape {self.x_train.shape[1:]}, {len(self.class_names)} classes ({self.source})")


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
        return (f"{self.name}: {len(self.train_texts):,} train / {len(self.test_texts):,} test "
                f"texts ({self.source})")


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
        return (f"{self.name}: {len(self.waves):,} recordings at {self.sample_rate} Hz, "
                f"{len(set(self.speakers))} speakers ({self.source})")


@dataclass(frozen=True, kw_only=True)
class TableData:
    """A time-indexed table (pandas DataFrame)."""

    frame: "pandas.DataFrame"  # noqa: F821
    name: str
    source: str

    def __str__(self):
        return (f"{self.name}: {len(self.frame):,} rows from {self.frame.index[0]} to "
                f"{self.frame.index[-1]}, columns {list(self.frame.columns)} ({self.source})")


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
        _check(arrays[key].shape == shape and arrays[key].dtype == np.uint8, path,
               f"array '{key}' is {arrays[key].dtype}{arrays[key].shape}, expected uint8{shape}")
    return arrays


def _check_labels(path: Path, labels: np.ndarray, n_classes: int) -> None:
    counts = np.bincount(labels, minlength=n_classes)
    _check(len(counts) == n_classes and counts.min() > 0, path,
           f"its labels are not the {n_classes} classes 0..{n_classes - 1}")


def load_mnist() -> ImageData:
    """MNIST: 60,000 training and 10,000 test 28x28 grey-scale digits (uint8, 0-255)."""
    path = fetch("mnist")
    a = _load_npz(path, {"x_train": (60000, 28, 28), "y_train": (60000,),
                         "x_test": (10000, 28, 28), "y_test": (10000,)})
    for split in ("train", "test"):
        _check_labels(path, a[f"y_{split}"], 10)
    return ImageData(x_train=a["x_train"], y_train=a["y_train"], x_test=a["x_test"],
                     y_test=a["y_test"], class_names=[str(d) for d in range(10)],
                     name="MNIST", source=_describe(path))


CIFAR10_CLASSES = ["airplane", "automobile", "bird", "cat", "deer",
                   "dog", "frog", "horse", "ship", "truck"]


def _cifar10_from_tar(path: Path) -> dict[str, np.ndarray]:
    batches = _read_tar_members(path, lambda n: re.search(r"(data|test)_batch(_\d)?$", n))
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
    return {"x_train": np.concatenate(xs[:5]), "y_train": np.concatenate(ys[:5]),
            "x_test": xs[5], "y_test": ys[5]}


def load_cifar10() -> ImageData:
    """CIFAR-10 colour photographs (32x32x3, uint8), 10 classes.

    Online, the full dataset (50,000 train / 10,000 test) is downloaded. Offline, with the course's
    data folder, this returns its class-balanced *subset* (10,000 train / 2,000 test, re-encoded
    pixels): then ``is_subset`` is True and results must not be reported as CIFAR-10 results.
    """
    folder = data_dir()
    full_local = folder is not None and (folder / SOURCES["cifar10"].filename).is_file()
    subset_path = folder / CIFAR10_SUBSET_FILENAME if folder is not None else None
    if not full_local and subset_path is not None and subset_path.is_file():
        _verify_against_folder_sums(subset_path)
        a = _load_npz(subset_path, {"x_train": (10000, 32, 32, 3), "y_train": (10000,),
                                    "x_test": (2000, 32, 32, 3), "y_test": (2000,)})
        path, is_subset = subset_path, True
        name = "CIFAR-10 local subset (1,000 train / 200 test images per class)"
    else:
        path = fetch("cifar10")
        a = _cifar10_from_tar(path)
        is_subset, name = False, "CIFAR-10"
        _check(a["x_train"].shape == (50000, 32, 32, 3) and a["x_test"].shape == (10000, 32, 32, 3),
               path, "it does not hold 50,000 training and 10,000 test images")
    for split in ("train", "test"):
        _check_labels(path, a[f"y_{split}"], 10)
    return ImageData(x_train=a["x_train"], y_train=a["y_train"], x_test=a["x_test"],
                     y_test=a["y_test"], class_names=list(CIFAR10_CLASSES), name=name,
                     source=_describe(path), is_subset=is_subset)


# --------------------------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------------------------

def load_imdb() -> TextData:
    """IMDB movie reviews (Maas et al. 2011) as raw text: 25,000 train / 25,000 test, half positive.

    Labels: 0 = negative, 1 = positive. Reviews keep their original markup (e.g. ``<br />``).
    Order is deterministic (sorted by file name within each split), not shuffled.
    """
    path = fetch("imdb")
    pattern = re.compile(r"aclImdb/(train|test)/(pos|neg)/\d+_\d+\.txt$")
    members = _read_tar_members(path, pattern.search)
    splits = {}
    for split in ("train", "test"):
        texts, labels = [], []
        for label, polarity in enumerate(("neg", "pos")):
            names = sorted(n for n in members if f"/{split}/{polarity}/" in n)
            _check(len(names) == 12500, path,
                   f"it has {len(names):,} {split}/{polarity} reviews, expected 12,500")
            texts += [members[n].decode("utf-8") for n in names]
            labels += [label] * len(names)
        splits[split] = (texts, np.array(labels, dtype=np.int64))
    return TextData(train_texts=splits["train"][0], train_labels=splits["train"][1],
                    test_texts=splits["test"][0], test_labels=splits["test"][1],
                    class_names=["negative", "positive"], name="IMDB reviews",
                    source=_describe(path))


def load_mr() -> SentenceData:
    """Movie Review sentence polarity v1.0 (Pang & Lee 2005): 5,331 positive + 5,331 negative.

    Labels: 0 = negative, 1 = positive; negatives first. The text is lower-cased and tokenised as
    published. There is no official split: Kim (2014) reports 10-fold cross-validation.
    """
    path = fetch("mr")
    members = _read_tar_members(path, lambda n: re.search(r"rt-polarity\.(pos|neg)$", n))
    texts, labels = [], []
    for label, polarity in enumerate(("neg", "pos")):
        names = [n for n in members if n.endswith(f".{polarity}")]
        _check(len(names) == 1, path, f"it has no rt-polarity.{polarity}")
        # split on "\n" only: splitlines() would also split on Latin-1 characters such as U+0085
        lines = [line.strip() for line in members[names[0]].decode("latin-1").split("\n")]
        lines = [line for line in lines if line]
        _check(len(lines) == 5331, path,
               f"rt-polarity.{polarity} has {len(lines):,} sentences, expected 5,331")
        texts += lines
        labels += [label] * len(lines)
    return SentenceData(texts=texts, labels=np.array(labels, dtype=np.int64),
                        class_names=["negative", "positive"], name="MR sentence polarity",
                        source=_describe(path))


def _strip_gutenberg(text: str) -> str:
    """The body of a Project Gutenberg e-text, without its licence header and footer."""
    start = re.search(r"\*\*\* ?START OF (THE|THIS) PROJECT GUTENBERG EBOOK[^\n]*\n", text)
    end = re.search(r"\*\*\* ?END OF (THE|THIS) PROJECT GUTENBERG EBOOK", text)
    if start and end:
        text = text[start.end():end.start()]
    return text.strip() + "\n"


def load_tiny_shakespeare() -> CorpusData:
    """Tiny Shakespeare (Karpathy's char-rnn): 1,115,394 characters of plays."""
    path = fetch("tiny_shakespeare")
    text = path.read_bytes().decode("utf-8", errors="strict")
    _check(len(text) == 1_115_394, path, f"it has {len(text):,} characters, expected 1,115,394")
    return CorpusData(text=text, name="Tiny Shakespeare", source=_describe(path))


def load_time_machine() -> CorpusData:
    """H. G. Wells, *The Time Machine* (Project Gutenberg e-book 35), licence header removed."""
    path = fetch("time_machine")
    try:
        text = _strip_gutenberg(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError as err:
        raise _corrupt(path, f"it is not UTF-8 text ({err})") from err
    _check(150_000 < len(text) < 400_000 and "The Time Traveller" in text, path,
           f"it has {len(text):,} characters and does not read as The Time Machine")
    return CorpusData(text=text, name="The Time Machine", source=_describe(path))


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
    path = fetch("spoken_digits")
    pattern = re.compile(r"recordings/(\d)_([a-z]+)_(\d+)\.wav$")
    members = _read_tar_members(path, pattern.search)
    _check(len(members) == 3000, path, f"it has {len(members):,} recordings, expected 3,000")
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
    return AudioData(waves=waves, labels=np.array(labels), speakers=np.array(speakers),
                     takes=np.array(takes), sample_rate=8000, name="Free Spoken Digit Dataset",
                     source=_describe(path))


# --------------------------------------------------------------------------------------------
# Time series
# --------------------------------------------------------------------------------------------

def _read_csv(path: Path, expected_rows: int, columns: list[str], **kwargs):
    import pandas as pd

    try:
        frame = pd.read_csv(path, **kwargs)
    except Exception as err:  # pandas raises several parser error types
        raise _corrupt(path, f"it cannot be parsed as CSV ({err})") from err
    _check(list(frame.columns) == columns, path,
           f"its columns are {list(frame.columns)}, expected {columns}")
    _check(len(frame) == expected_rows, path,
           f"it has {len(frame):,} rows, expected {expected_rows:,}")
    return frame


def load_beijing_pm25() -> TableData:
    """Beijing PM2.5 and weather, hourly 2010-2014 (43,824 rows), indexed by time.

    ``pm2.5`` is NaN where the original has NA; handling the gaps is the forecasting chapter's job.
    Columns: pm2.5 (ug/m^3), DEWP (dew point, C), TEMP (C), PRES (hPa), cbwd (wind direction),
    Iws (cumulated wind speed, m/s), Is / Ir (cumulated hours of snow / rain).
    """
    import pandas as pd

    path = fetch("beijing_pm25")
    columns = ["No", "year", "month", "day", "hour", "pm2.5", "DEWP", "TEMP", "PRES", "cbwd",
               "Iws", "Is", "Ir"]
    frame = _read_csv(path, 43_824, columns)
    frame.index = pd.to_datetime(frame[["year", "month", "day", "hour"]])
    frame.index.name = "time"
    _check(frame.index.is_monotonic_increasing and frame.index.is_unique, path,
           "its rows are not one per hour in time order")
    frame = frame.drop(columns=["No", "year", "month", "day", "hour"])
    return TableData(frame=frame, name="Beijing PM2.5", source=_describe(path))


def _univariate(name: str, rows: int, columns: list[str], title: str) -> TableData:
    import pandas as pd

    path = fetch(name)
    frame = _read_csv(path, rows, columns)
    try:
        frame.index = pd.to_datetime(frame.pop(columns[0]))
    except (ValueError, TypeError) as err:
        raise _corrupt(path, f"its first column is not a date ({err})") from err
    _check(pd.api.types.is_numeric_dtype(frame[columns[1]]), path,
           f"column '{columns[1]}' is not numeric")
    return TableData(frame=frame, name=title, source=_describe(path))


def load_daily_min_temperatures() -> TableData:
    """Daily minimum temperature in Melbourne (degrees C), 1981-1990: 3,650 days."""
    return _univariate("daily_min_temperatures", 3_650, ["Date", "Temp"],
                       "Daily minimum temperatures, Melbourne")


def load_monthly_sunspots() -> TableData:
    """Monthly mean sunspot number from January 1749: 2,820 months."""
    return _univariate("monthly_sunspots", 2_820, ["Month", "Sunspots"], "Monthly sunspots")
