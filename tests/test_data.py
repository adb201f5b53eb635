"""The data layer: where files are found, and that a bad file is refused with a useful message.

Failure cases use small files written to a temporary folder; nothing here touches the network
(downloads are replaced by a stub). The real datasets are loaded when the course's data folder
is beside the clone (../shared/data), and skipped otherwise.
"""

import gzip
import io
import json
import tarfile
from pathlib import Path

import numpy as np
import pytest

from cnnrnn import data
from cnnrnn.data import DatasetError

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

LOADERS = {
    "mnist": data.load_mnist,
    "cifar10": data.load_cifar10,
    "imdb": data.load_imdb,
    "mr": data.load_mr,
    "spoken_digits": data.load_spoken_digits,
    "beijing_pm25": data.load_beijing_pm25,
    "daily_min_temperatures": data.load_daily_min_temperatures,
    "monthly_sunspots": data.load_monthly_sunspots,
    "tiny_shakespeare": data.load_tiny_shakespeare,
    "time_machine": data.load_time_machine,
}


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("BOOK_DATA_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def downloads(monkeypatch):
    """Replace keras.utils.get_file: record each call and fail as a machine with no network does."""
    import keras

    calls = []

    def no_network(**kwargs):
        calls.append(kwargs)
        raise OSError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(keras.utils, "get_file", no_network)
    return calls


def _tar_gz(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return path


# A small, well-formed file of the right kind that is not the real dataset, for every loader.
def _small_wrong_file(name: str, folder: Path) -> Path:
    target = folder / data.SOURCES[name].filename
    if name == "mnist":
        np.savez(target, x_train=np.zeros((100, 28, 28), np.uint8), y_train=np.arange(100) % 10,
                 x_test=np.zeros((10, 28, 28), np.uint8), y_test=np.arange(10))
    elif name == "cifar10":
        _tar_gz(target, {"cifar-10-batches-py/data_batch_1": b"not a pickle"})
    elif name == "imdb":
        _tar_gz(target, {"aclImdb/train/pos/0_9.txt": b"Great film."})
    elif name == "mr":
        _tar_gz(target, {"rt-polaritydata/rt-polarity.pos": b"good .\n",
                         "rt-polaritydata/rt-polarity.neg": b"bad .\n"})
    elif name == "spoken_digits":
        _tar_gz(target, {"fsdd/recordings/0_george_0.wav": b"RIFF....WAVE"})
    elif name == "beijing_pm25":
        target.write_text("No,year,month,day,hour,pm2.5,DEWP,TEMP,PRES,cbwd,Iws,Is,Ir\n"
                          "1,2010,1,1,0,NA,-21,-11,1021,NW,1.79,0,0\n")
    elif name == "daily_min_temperatures":
        target.write_text('"Date","Temp"\n"1981-01-01",20.7\n')
    elif name == "monthly_sunspots":
        target.write_text('"Month","Sunspots"\n"1749-01",58.0\n')
    elif name == "tiny_shakespeare":
        target.write_text("First Citizen:\nBefore we proceed any further, hear me speak.\n")
    elif name == "time_machine":
        target.write_text("The Time Machine, by H. G. Wells\n\nThe Time Traveller spoke.\n")
    return target


@pytest.mark.parametrize("name", LOADERS)
def test_small_or_different_file_is_refused(name, data_dir, downloads):
    target = _small_wrong_file(name, data_dir)
    with pytest.raises(DatasetError) as err:
        LOADERS[name]()
    assert target.name in str(err.value) and "not the expected dataset file" in str(err.value)
    assert downloads == [], "a file found in BOOK_DATA_DIR must be used, not downloaded again"


@pytest.mark.parametrize("name", LOADERS)
def test_missing_file_without_network_names_file_place_and_origin(name, data_dir, downloads):
    with pytest.raises(DatasetError) as err:
        LOADERS[name]()
    message = str(err.value)
    source = data.SOURCES[name]
    assert source.filename in message and str(data_dir) in message and source.url in message
    assert "BOOK_DATA_DIR" in message  # says how to use a file fetched by hand
    assert downloads and downloads[0]["origin"] == source.url


def test_wrong_data_dir_is_an_error_not_a_download(tmp_path, monkeypatch, downloads):
    missing = tmp_path / "no-such-folder"
    monkeypatch.setenv("BOOK_DATA_DIR", str(missing))
    with pytest.raises(DatasetError, match="is not a folder") as err:
        data.load_mnist()
    assert str(missing) in str(err.value)
    assert downloads == []


def test_without_data_dir_downloads_from_origin_with_published_hash(monkeypatch, tmp_path):
    import keras

    monkeypatch.delenv("BOOK_DATA_DIR", raising=False)
    calls = []
    monkeypatch.setattr(keras.utils, "get_file",
                        lambda **kw: calls.append(kw) or str(tmp_path / kw["fname"]))
    assert data.fetch("mnist") == tmp_path / "mnist.npz"
    assert calls == [{"fname": "mnist.npz", "origin": data.SOURCES["mnist"].url,
                      "file_hash": data.SOURCES["mnist"].sha256, "cache_subdir": "cnnrnn"}]


def test_failed_checksum_of_a_download_is_reported(monkeypatch):
    import keras

    monkeypatch.delenv("BOOK_DATA_DIR", raising=False)

    def corrupt_download(**kwargs):
        raise ValueError("Incomplete or corrupted file detected.")

    monkeypatch.setattr(keras.utils, "get_file", corrupt_download)
    with pytest.raises(DatasetError, match="corrupted") as err:
        data.load_cifar10()
    assert "cifar-10-python.tar.gz" in str(err.value)


def test_local_file_that_fails_its_listed_checksum_is_refused(data_dir, downloads):
    target = data_dir / "tinyshakespeare.txt"
    target.write_text("x" * 1_115_394)  # right length, wrong content
    (data_dir / "SHA256SUMS.json").write_text(json.dumps({"tinyshakespeare.txt": "0" * 64}))
    with pytest.raises(DatasetError, match="does not match its SHA-256") as err:
        data.load_tiny_shakespeare()
    assert str(target) in str(err.value)


def test_local_file_matching_its_listed_checksum_is_used(data_dir, downloads):
    target = data_dir / "tinyshakespeare.txt"
    target.write_text("y" * 1_115_394)
    (data_dir / "SHA256SUMS.json").write_text(
        json.dumps({"tinyshakespeare.txt": data.sha256_of(target)}))
    corpus = data.load_tiny_shakespeare()
    assert corpus.text == "y" * 1_115_394 and str(target) in corpus.source


def test_truncated_archive_is_refused(data_dir, downloads):
    whole = _tar_gz(data_dir / "whole.tar.gz", {"rt-polaritydata/rt-polarity.pos": b"x\n" * 5000})
    truncated = data_dir / data.SOURCES["mr"].filename
    truncated.write_bytes(whole.read_bytes()[: len(whole.read_bytes()) // 2])
    with pytest.raises(DatasetError, match="cannot be read as a tar archive"):
        data.load_mr()


def test_truncated_npz_is_refused(data_dir, downloads):
    buffer = io.BytesIO()
    np.savez(buffer, x_train=np.zeros((60000, 28, 28), np.uint8))
    (data_dir / "mnist.npz").write_bytes(buffer.getvalue()[:5000])
    with pytest.raises(DatasetError, match="cannot be read as a NumPy .npz"):
        data.load_mnist()


def test_gzip_that_is_not_a_tar_is_refused(data_dir, downloads):
    (data_dir / data.SOURCES["imdb"].filename).write_bytes(gzip.compress(b"<html>Not found</html>"))
    with pytest.raises(DatasetError, match="aclImdb_v1.tar.gz"):
        data.load_imdb()


def test_cifar_prefers_the_full_dataset_over_the_local_subset(data_dir, downloads):
    (data_dir / data.CIFAR10_SUBSET_FILENAME).write_bytes(b"unused")
    _small_wrong_file("cifar10", data_dir)
    with pytest.raises(DatasetError, match="cifar-10-python.tar.gz"):
        data.load_cifar10()


def test_gutenberg_licence_is_stripped():
    text = ("Header\n*** START OF THE PROJECT GUTENBERG EBOOK THE TIME MACHINE ***\n"
            "The Time Traveller\n*** END OF THE PROJECT GUTENBERG EBOOK THE TIME MACHINE ***\nLicence")
    assert data._strip_gutenberg(text) == "The Time Traveller\n"


# ----------------------------------------------------------------------------- the real datasets

needs_shared = pytest.mark.skipif(not (SHARED_DATA / "SHA256SUMS.json").exists(),
                                  reason="the course's data folder ../shared/data is not present")


@pytest.fixture
def shared_data(monkeypatch, downloads):
    monkeypatch.setenv("BOOK_DATA_DIR", str(SHARED_DATA))


@needs_shared
def test_real_image_datasets(shared_data):
    mnist = data.load_mnist()
    assert mnist.x_train.shape == (60000, 28, 28) and mnist.y_test.shape == (10000,)
    assert not mnist.is_subset and "local copy" in mnist.source
    cifar = data.load_cifar10()
    assert cifar.is_subset and "subset" in cifar.name and cifar.x_test.shape == (2000, 32, 32, 3)
    assert np.bincount(cifar.y_train).tolist() == [1000] * 10


@needs_shared
def test_real_text_datasets(shared_data):
    imdb = data.load_imdb()
    assert len(imdb.train_texts) == len(imdb.test_texts) == 25000
    assert imdb.train_labels.mean() == 0.5
    mr = data.load_mr()
    assert len(mr.texts) == 10662 and mr.labels.sum() == 5331
    assert len(data.load_tiny_shakespeare().text) == 1_115_394
    assert data.load_time_machine().text.startswith("The Time Machine, by H. G. Wells")


@needs_shared
def test_real_audio_and_series(shared_data):
    digits = data.load_spoken_digits()
    assert len(digits.waves) == 3000 and digits.official_test.sum() == 300
    assert all(np.abs(w).max() <= 1.0 for w in digits.waves[:50])
    pm = data.load_beijing_pm25().frame
    assert len(pm) == 43824 and pm["pm2.5"].isna().sum() > 0
    assert len(data.load_daily_min_temperatures().frame) == 3650
    assert len(data.load_monthly_sunspots().frame) == 2820
