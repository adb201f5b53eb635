"""The data layer: where files are found, that each is verified against its pinned hash on every
path (the local folder, the download cache, a fresh download), and that a bad file is refused with a
message that names the file, the place, the expected and found hash, and what to do.

Everything here uses small synthetic files in the origins' formats, written to temporary folders.
Downloads go to a local HTTP server on 127.0.0.1 started by the test, which misbehaves on purpose;
the loaders' origin URLs and pins are pointed at it and at the synthetic files. Nothing touches the
network. The real datasets are loaded when the course's data folder is beside the clone
(../shared/data), and skipped otherwise.
"""

import dataclasses
import gzip
import io
import pickle
import re
import socket
import tarfile
import threading
import time
import urllib.error
import wave
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from cnnrnn import data
from cnnrnn.data import DatasetError

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

LOADERS = data.LOADERS
HASH = re.compile(r"\b[0-9a-f]{64}\b")


# ------------------------------------------------------------------ synthetic files, origin formats

def _tar_gz(members: dict[str, bytes]) -> bytes:
    # The same bytes at every call: gzip's header would otherwise carry the current second, and a
    # test that pins one call's hash and writes another's failed when a second ticked in between.
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return gzip.compress(buffer.getvalue(), mtime=0)


def _npz(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def _wav(samples: np.ndarray, rate: int = 8000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.astype("<i2").tobytes())
    return buffer.getvalue()


def _images(n: int, shape: tuple) -> dict:
    rng = np.random.default_rng(n)
    return {"x": rng.integers(0, 256, (n, *shape), dtype=np.uint8),
            "y": (np.arange(n) % 10).astype(np.uint8)}


def _cifar_batch(n: int) -> bytes:
    images = _images(n, (3072,))
    return pickle.dumps({b"data": images["x"], b"labels": images["y"].tolist()}, protocol=2)


# Per dataset: (synthetic file's bytes, the EXPECTED sizes that describe it).
SYNTHETIC = {
    "mnist": (lambda: _npz(x_train=_images(20, (28, 28))["x"], y_train=_images(20, ())["y"],
                           x_test=_images(10, (28, 28))["x"], y_test=_images(10, ())["y"]),
              {"train": 20, "test": 10}),
    "cifar10_subset": (lambda: _npz(x_train=_images(20, (32, 32, 3))["x"], y_train=_images(20, ())["y"],
                                    x_test=_images(10, (32, 32, 3))["x"], y_test=_images(10, ())["y"]),
                       {"train": 20, "test": 10}),
    "cifar10": (lambda: _tar_gz({**{f"cifar-10-batches-py/data_batch_{i}": _cifar_batch(10)
                                    for i in range(1, 6)},
                                 "cifar-10-batches-py/test_batch": _cifar_batch(10),
                                 "cifar-10-batches-py/batches.meta": b"unused"}),
                {"train": 50, "test": 10}),
    "imdb": (lambda: _tar_gz({f"aclImdb/{split}/{polarity}/{i}_{7 if polarity == 'pos' else 2}.txt":
                              f"A {polarity} review {i} from {split}.<br />".encode()
                              for split in ("train", "test") for polarity in ("pos", "neg")
                              for i in range(2)}),
             {"per_split_and_class": 2}),
    "mr": (lambda: _tar_gz({"rt-polaritydata/rt-polarity.pos": "good .\nfine film .\nvoilà \xe9l\xe9gant .\n"
                            .encode("latin-1"),
                            "rt-polaritydata/rt-polarity.neg": b"bad .\ndull .\nslow .\n"}),
           {"per_class": 3}),
    "spoken_digits": (lambda: _tar_gz({
        f"free-spoken-digit-dataset-1.0.10/recordings/{d}_{s}_{t}.wav":
            _wav(np.full(80 + d, 1000 * (t + 1)))
        for d in range(3) for s in ("george", "jackson") for t in range(2)}),
        {"recordings": 12}),
    "beijing_pm25": (lambda: ("No,year,month,day,hour,pm2.5,DEWP,TEMP,PRES,cbwd,Iws,Is,Ir\n"
                              "1,2010,1,1,0,NA,-21,-11,1021,NW,1.79,0,0\n"
                              "2,2010,1,1,1,129,-16,-4,1020,SE,1.79,0,0\n"
                              "3,2010,1,1,2,148,-15,-4,1020,SE,2.68,0,0\n").encode(),
                     {"rows": 3}),
    "daily_min_temperatures": (lambda: b'"Date","Temp"\n"1981-01-01",20.7\n"1981-01-02",17.9\n',
                               {"rows": 2}),
    "monthly_sunspots": (lambda: b'"Month","Sunspots"\n"1749-01",58.0\n"1749-02",62.6\n', {"rows": 2}),
    "tiny_shakespeare": (lambda: b"First Citizen:\nBefore we proceed any further, hear me speak.\n",
                         {"characters": 61}),
    "time_machine": (lambda: b"The Time Machine, by H. G. Wells\n\nThe Time Traveller spoke.\n" * 4,
                     {"min_characters": 100, "max_characters": 1000}),
}


def _pin(monkeypatch, name: str, content: bytes, url: str | None = None, **changes) -> None:
    """Make SOURCES[name] pin ``content`` (and download from ``url``), and EXPECTED describe it."""
    source = data.SOURCES[name]
    members = source.members
    if members is not None:
        scratch = io.BytesIO(content)
        with tarfile.open(fileobj=scratch) as archive:  # the same manifest member_digest computes
            pattern = re.compile(members.pattern)
            lines = sorted(f"{pattern.search(m.name).group(0)}  "
                           f"{data.hashlib.sha256(archive.extractfile(m).read()).hexdigest()}\n"
                           for m in archive if m.isfile() and pattern.search(m.name))
        members = dataclasses.replace(members, count=len(lines),
                                      sha256=data.hashlib.sha256("".join(lines).encode()).hexdigest())
    pinned = dataclasses.replace(
        source, url=source.url if url is None else url, members=members,
        pins=(data.Pin(data.hashlib.sha256(content).hexdigest(), "the synthetic test file"),))
    monkeypatch.setitem(data.SOURCES, name, dataclasses.replace(pinned, **changes))
    monkeypatch.setitem(data.EXPECTED, name, SYNTHETIC[name][1])


def _flip_middle_byte(content: bytes) -> bytes:
    middle = len(content) // 2
    return content[:middle] + bytes([content[middle] ^ 0x01]) + content[middle + 1:]


# ------------------------------------------------------------------------------------- fixtures

@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty download cache (KERAS_HOME in a temporary folder); BOOK_DATA_DIR unset."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    monkeypatch.delenv("BOOK_DATA_DIR", raising=False)
    return data.cache_dir()


@pytest.fixture
def data_dir(tmp_path, monkeypatch, cache):
    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.setenv("BOOK_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def no_network(monkeypatch):
    """Every download fails as on a machine with no network; the URLs asked for are recorded."""
    calls = []

    def urlopen(request, timeout=None):
        calls.append(request.full_url)
        raise urllib.error.URLError(socket.gaierror(-3, "Temporary failure in name resolution"))

    monkeypatch.setattr(data.urllib.request, "urlopen", urlopen)
    return calls


@pytest.fixture
def server(monkeypatch):
    """An HTTP server on 127.0.0.1: ``files[path] = (behaviour, body)``; it records each request.

    Behaviours: "ok"; "short" (announces the full length, sends half, hangs up); "slow" (answers
    after 1 s); a path not in ``files`` gets a 404.
    """
    files, requests = {}, []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            behaviour, body = files.get(self.path, ("404", b""))
            if behaviour == "404":
                self.send_error(404, "Not Found")
                return
            if behaviour == "slow":
                time.sleep(1.0)
            try:
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2] if behaviour == "short" else body)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (the slow case)
                pass

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    for variable in ("no_proxy", "NO_PROXY"):  # a proxy set on the machine must not intercept
        monkeypatch.setenv(variable, "127.0.0.1,localhost")
    yield SimpleNamespace(url=f"http://127.0.0.1:{httpd.server_address[1]}", files=files,
                          requests=requests)
    httpd.shutdown()
    httpd.server_close()


def _serve(server, monkeypatch, name: str, content: bytes, behaviour: str = "ok") -> str:
    url = f"{server.url}/origin/{name}/{data.SOURCES[name].filename}"
    server.files[url[len(server.url):]] = (behaviour, content)
    _pin(monkeypatch, name, content, url)
    return url


def test_synthetic_archives_are_the_same_bytes_a_second_later():
    # Tests pin one call's hash and write another call's bytes.
    first = SYNTHETIC["cifar10"][0]()
    time.sleep(1.1)
    assert SYNTHETIC["cifar10"][0]() == first


# ------------------------------------------------------------------- the download path, end to end

@pytest.mark.parametrize("name", LOADERS)

def test_first_run_downloads_verifies_caches_then_reuses_the_cache(name, cache, server, monkeypatch):
    content = SYNTHETIC[name][0]()
    url = _serve(server, monkeypatch, name, content)
    first = LOADERS[name]()
    assert (cache / data.SOURCES[name].filename).read_bytes() == content
    assert list(cache.iterdir()) == [cache / data.SOURCES[name].filename]  # no .part left
    assert first.source == (f"{data.SOURCES[name].filename}: downloaded from "
                            f"127.0.0.1:{url.split(':')[2].split('/')[0]}, "
                            f"SHA-256 {data.hashlib.sha256(content).hexdigest()[:8]}… verified")
    second = LOADERS[name]()
    assert server.requests == [url[len(server.url):]], "the cached file must be used, not fetched again"
    assert second.source.startswith(f"{data.SOURCES[name].filename}: cached download, SHA-256 ")
    assert str(first) == str(second).replace("cached download", first.source.split(", ")[0]
                                             .split(": ")[1])


def test_a_github_archive_is_verified_by_its_members(cache, server, monkeypatch):
    content = SYNTHETIC["spoken_digits"][0]()
    _serve(server, monkeypatch, "spoken_digits", content)
    # GitHub regenerated the archive: other bytes (here: other compression), the same members.
    with tarfile.open(fileobj=io.BytesIO(content)) as archive:
        regenerated = _tar_gz({m.name.replace("-1.0.10/", "-4f2c1e7/"): archive.extractfile(m).read()
                               for m in reversed(archive.getmembers())})
    assert regenerated != content
    server.files[next(iter(server.files))] = ("ok", regenerated)
    audio = data.load_spoken_digits()
    assert audio.source.endswith("SHA-256 of its 12 members verified") and len(audio.waves) == 12
    again = data.load_spoken_digits()  # from the cache: its members are checked as they are read
    assert again.source.startswith("free-spoken-digit-dataset.tar.gz: cached download, SHA-256 of")
    assert len(server.requests) == 1 and np.array_equal(again.labels, audio.labels)


def test_a_cached_archive_with_one_member_changed_is_refused_as_it_is_read(cache, no_network,
                                                                           monkeypatch):
    content = SYNTHETIC["spoken_digits"][0]()
    _pin(monkeypatch, "spoken_digits", content)
    with tarfile.open(fileobj=io.BytesIO(content)) as archive:
        members = {m.name: archive.extractfile(m).read() for m in archive}
    last = list(members)[-1]
    members[last] = _flip_middle_byte(members[last])
    cached = cache / "free-spoken-digit-dataset.tar.gz"
    cache.mkdir(parents=True)
    cached.write_bytes(_tar_gz(members))
    with pytest.raises(DatasetError) as err:
        data.load_spoken_digits()
    message = str(err.value)
    assert message.startswith(f"The cached download {cached} is not the ")
    assert "12 matching members hashing to" in message and f"rm '{cached}'" in message


def test_an_archive_with_one_member_changed_is_refused(cache, server, monkeypatch):
    content = SYNTHETIC["spoken_digits"][0]()
    url = _serve(server, monkeypatch, "spoken_digits", content)
    with tarfile.open(fileobj=io.BytesIO(content)) as archive:
        members = {m.name: archive.extractfile(m).read() for m in archive}
    first = next(iter(members))
    members[first] = _flip_middle_byte(members[first])
    server.files[url[len(server.url):]] = ("ok", _tar_gz(members))
    with pytest.raises(DatasetError) as err:
        data.load_spoken_digits()
    message = str(err.value)
    assert f"The file downloaded from {url}" in message and "12 matching members hashing to" in message
    assert data.SOURCES["spoken_digits"].members.sha256 in message
    assert not any(cache.iterdir()), "an unverified download must not be kept"


def test_download_that_fails_its_pinned_hash_is_refused_and_not_kept(cache, server, monkeypatch):
    content = SYNTHETIC["imdb"][0]()
    url = _serve(server, monkeypatch, "imdb", content)
    server.files[url[len(server.url):]] = ("ok", _flip_middle_byte(content))
    with pytest.raises(DatasetError) as err:
        data.load_imdb()
    message = str(err.value)
    found, expected = HASH.findall(message)
    assert found == data.hashlib.sha256(_flip_middle_byte(content)).hexdigest()
    assert expected == data.hashlib.sha256(content).hexdigest()
    assert f"The file downloaded from {url}" in message and "Nothing was kept" in message
    assert "BOOK_DATA_DIR" in message  # the way out when the origin itself has changed
    assert not cache.exists() or not any(cache.iterdir())


def test_transfer_cut_short_is_refused_and_not_kept(cache, server, monkeypatch):
    content = SYNTHETIC["tiny_shakespeare"][0]()
    url = _serve(server, monkeypatch, "tiny_shakespeare", content, "short")
    with pytest.raises(DatasetError) as err:
        data.load_tiny_shakespeare()
    message = str(err.value)
    assert f"ownloading it from {url} failed: the transfer was cut short: 30 of 61 bytes" in message
    assert "tinyshakespeare.txt" in message and not any(cache.iterdir())


def test_http_404_is_reported(cache, server, monkeypatch):
    url = _serve(server, monkeypatch, "monthly_sunspots", b"")
    server.files.clear()
    with pytest.raises(DatasetError) as err:
        data.load_monthly_sunspots()
    assert f"ownloading it from {url} failed: the server answered HTTP 404 Not Found" in str(err.value)
    assert "save it as 'monthly-sunspots.csv' in a folder, then set BOOK_DATA_DIR" in str(err.value)


def test_slow_server_times_out_with_a_message(cache, server, monkeypatch):
    _serve(server, monkeypatch, "daily_min_temperatures", SYNTHETIC["daily_min_temperatures"][0](),
           "slow")
    monkeypatch.setattr(data, "DOWNLOAD_TIMEOUT_S", 0.2)
    start = time.perf_counter()
    with pytest.raises(DatasetError, match=r"failed: TimeoutError: no answer within 0.2 s"):
        data.load_daily_min_temperatures()
    assert time.perf_counter() - start < 1.0
    assert not any(data.cache_dir().iterdir())


def test_downloads_go_to_the_documented_cache_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("KERAS_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert data.cache_dir() == tmp_path / ".keras" / "datasets" / "cnnrnn"
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "elsewhere"))
    assert data.cache_dir() == tmp_path / "elsewhere" / "datasets" / "cnnrnn"


# ------------------------------------------------------------ one byte flipped, on every path

@pytest.mark.parametrize("name", LOADERS)
def test_local_copy_with_one_byte_flipped_is_refused(name, data_dir, no_network, monkeypatch):
    content = SYNTHETIC[name][0]()
    _pin(monkeypatch, name, content)
    target = data_dir / data.SOURCES[name].filename
    target.write_bytes(_flip_middle_byte(content))
    with pytest.raises(DatasetError) as err:
        LOADERS[name]()
    message = str(err.value)
    assert message.startswith(f"'{target.name}' in BOOK_DATA_DIR ({data_dir}) is not the ")
    assert HASH.findall(message)[:2] == [data.hashlib.sha256(target.read_bytes()).hexdigest(),
                                        data.hashlib.sha256(content).hexdigest()]
    assert "Replace it with an intact copy" in message and data.SOURCES[name].url in message
    assert no_network == [], "a local copy that fails its check must not be replaced by a download"


@pytest.mark.parametrize("name", ["imdb", "spoken_digits", "beijing_pm25", "tiny_shakespeare"])
def test_cached_download_with_one_byte_flipped_is_refused(name, cache, no_network, monkeypatch):
    content = SYNTHETIC[name][0]()
    _pin(monkeypatch, name, content)
    cached = cache / data.SOURCES[name].filename
    cache.mkdir(parents=True)
    cached.write_bytes(_flip_middle_byte(content))
    with pytest.raises(DatasetError) as err:
        LOADERS[name]()
    message = str(err.value)
    assert message.startswith(f"The cached download {cached} is not the ")
    assert data.hashlib.sha256(content).hexdigest() in message
    assert f"Delete it and run again to download it afresh: rm '{cached}'" in message
    assert no_network == []


def test_a_good_local_copy_is_used_without_a_download(data_dir, no_network, monkeypatch):
    content = SYNTHETIC["beijing_pm25"][0]()
    _pin(monkeypatch, "beijing_pm25", content)
    (data_dir / data.SOURCES["beijing_pm25"].filename).write_bytes(content)
    table = data.load_beijing_pm25()
    assert table.frame["PRES"].dtype == np.int64 and table.frame["pm2.5"].isna().sum() == 1
    assert table.source.startswith("PRSA_data_2010.1.1-2014.12.31.csv: local copy from BOOK_DATA_DIR")
    assert no_network == []


# ------------------------------------------------------------------ what a reader sees printed

@pytest.mark.parametrize("name", LOADERS)
def test_printed_dataset_names_no_machine_path(name, data_dir, no_network, monkeypatch):
    content = SYNTHETIC[name][0]()
    _pin(monkeypatch, name, content)
    (data_dir / data.SOURCES[name].filename).write_bytes(content)
    dataset = LOADERS[name]()
    for shown in (str(dataset), repr(dataset)):
        assert str(data_dir.parent) not in shown and "/tmp" not in shown
    assert "/" not in dataset.source and "verified" in dataset.source
    assert dataset.source.startswith(f"{data.SOURCES[name].filename}: local copy from BOOK_DATA_DIR")


# ------------------------------------------------- other faults a broken machine produces

def test_missing_file_without_network_names_file_place_and_origin(data_dir, no_network):
    with pytest.raises(DatasetError) as err:
        data.load_imdb()
    message = str(err.value)
    source = data.SOURCES["imdb"]
    assert message.startswith(f"Could not get '{source.filename}'. It is not in {data_dir} "
                              f"(BOOK_DATA_DIR), and downloading it from {source.url} failed: "
                              "URLError: [Errno -3] Temporary failure in name resolution.")
    assert "then set BOOK_DATA_DIR to that folder" in message
    assert no_network == [source.url]


@pytest.mark.parametrize("name", LOADERS)
def test_every_loader_without_its_file_or_network_names_its_origin(name, data_dir, no_network):
    with pytest.raises(DatasetError) as err:
        LOADERS[name]()
    assert data.SOURCES[name].filename in str(err.value) and data.SOURCES[name].url in str(err.value)
    assert no_network == [data.SOURCES[name].url]


@pytest.mark.parametrize("name", ["mnist", "imdb", "tiny_shakespeare"])
def test_zero_byte_file_is_refused_by_its_hash(name, data_dir, no_network):
    (data_dir / data.SOURCES[name].filename).write_bytes(b"")
    with pytest.raises(DatasetError) as err:
        LOADERS[name]()
    assert data.hashlib.sha256(b"").hexdigest() in str(err.value)


def test_folder_in_the_place_of_the_file_is_named_as_such(data_dir, no_network):
    (data_dir / "mnist.npz").mkdir()
    with pytest.raises(DatasetError) as err:
        data.load_mnist()
    assert str(err.value) == (f"'mnist.npz' in {data_dir} (BOOK_DATA_DIR) is a folder, not the "
                              "dataset file. Remove it: put the dataset file there, or unset "
                              "BOOK_DATA_DIR to download it.")
    assert no_network == []


def test_folder_in_the_place_of_a_cached_file_is_named_as_such(cache, no_network):
    (cache / "tinyshakespeare.txt").mkdir(parents=True)
    with pytest.raises(DatasetError, match=r"is a folder, not the dataset file\. Remove it: the next "
                                           "run downloads the file again"):
        data.load_tiny_shakespeare()


def test_data_dir_that_is_missing_or_a_file_is_an_error_not_a_download(tmp_path, monkeypatch,
                                                                       no_network):
    a_file = tmp_path / "data.zip"
    a_file.write_bytes(b"PK")
    for value in (tmp_path / "no-such-folder", a_file):
        monkeypatch.setenv("BOOK_DATA_DIR", str(value))
        with pytest.raises(DatasetError, match="is not a folder") as err:
            data.load_mnist()
        assert str(value) in str(err.value)
    assert no_network == []


# Past the hash check (the pins are pointed at the bad file), the parsers still refuse a file that
# is not the dataset: a second line of defence, and the messages a wrong pin would lead to.

def test_truncated_archive_is_refused(data_dir, no_network, monkeypatch):
    truncated = SYNTHETIC["mr"][0]()[:60]
    _pin(monkeypatch, "mr", SYNTHETIC["mr"][0](), pins=(data.Pin(
        data.hashlib.sha256(truncated).hexdigest(), "test"),))
    (data_dir / "rt-polaritydata.tar.gz").write_bytes(truncated)
    with pytest.raises(DatasetError, match="cannot be read as a tar archive"):
        data.load_mr()


def test_truncated_npz_is_refused(data_dir, no_network, monkeypatch):
    truncated = SYNTHETIC["mnist"][0]()[:500]
    _pin(monkeypatch, "mnist", truncated)
    (data_dir / "mnist.npz").write_bytes(truncated)
    with pytest.raises(DatasetError, match="cannot be read as a NumPy .npz"):
        data.load_mnist()


def test_gzip_that_is_not_a_tar_is_refused(data_dir, no_network, monkeypatch):
    page = gzip.compress(b"<html>Not found</html>")
    _pin(monkeypatch, "imdb", page)
    (data_dir / "aclImdb_v1.tar.gz").write_bytes(page)
    with pytest.raises(DatasetError, match="aclImdb_v1.tar.gz is not the expected dataset file"):
        data.load_imdb()


def test_renamed_csv_column_is_refused(data_dir, no_network, monkeypatch):
    renamed = SYNTHETIC["beijing_pm25"][0]().replace(b"PRES", b"pressure")
    _pin(monkeypatch, "beijing_pm25", renamed)
    (data_dir / "PRSA_data_2010.1.1-2014.12.31.csv").write_bytes(renamed)
    with pytest.raises(DatasetError, match=r"its columns are \[.*'pressure'.*\], expected"):
        data.load_beijing_pm25()


def test_cifar_prefers_the_full_dataset_over_the_local_subset(data_dir, no_network, monkeypatch):
    _pin(monkeypatch, "cifar10", SYNTHETIC["cifar10"][0]())
    _pin(monkeypatch, "cifar10_subset", SYNTHETIC["cifar10_subset"][0]())
    (data_dir / data.CIFAR10_SUBSET_FILENAME).write_bytes(SYNTHETIC["cifar10_subset"][0]())
    (data_dir / "cifar-10-python.tar.gz").write_bytes(SYNTHETIC["cifar10"][0]())
    cifar = data.load_cifar10()
    assert not cifar.is_subset and cifar.source.startswith("cifar-10-python.tar.gz: local copy")
    (data_dir / "cifar-10-python.tar.gz").unlink()
    subset = data.load_cifar10()
    assert subset.is_subset and subset.source.startswith("cifar10-subset.npz: local copy")


def test_member_digest_ignores_top_folder_order_and_compression(tmp_path):
    members = {"rt-polaritydata/rt-polarity.pos": b"good .\n", "rt-polaritydata/rt-polarity.neg": b"bad .\n"}
    a, b = tmp_path / "a.tar.gz", tmp_path / "b.tar"
    a.write_bytes(_tar_gz(members))
    with tarfile.open(b, "w") as archive:
        for name, content in reversed(list(members.items())):
            info = tarfile.TarInfo("other-top/" + name.split("/")[1])
            info.size, info.mtime = len(content), 1234
            archive.addfile(info, io.BytesIO(content))
    assert data.member_digest(a, data.MR_MEMBERS) == data.member_digest(b, data.MR_MEMBERS)
    assert data.member_digest(a, data.MR_MEMBERS)[1] == 2


def test_gutenberg_licence_is_stripped():
    text = ("Header\n*** START OF THE PROJECT GUTENBERG EBOOK THE TIME MACHINE ***\n"
            "The Time Traveller\n*** END OF THE PROJECT GUTENBERG EBOOK THE TIME MACHINE ***\nLicence")
    assert data._strip_gutenberg(text) == "The Time Traveller\n"


# ----------------------------------------------------------------------------- the real datasets

needs_shared = pytest.mark.skipif(not (SHARED_DATA / "SHA256SUMS.json").exists(),
                                  reason="the course's data folder ../shared/data is not present")


@pytest.fixture
def shared_data(monkeypatch, no_network):
    monkeypatch.setenv("BOOK_DATA_DIR", str(SHARED_DATA))


@needs_shared
def test_the_pins_agree_with_the_data_folders_own_sums():
    import json

    sums = json.loads((SHARED_DATA / "SHA256SUMS.json").read_text())
    pinned = {source.filename: {pin.sha256 for pin in source.pins} for source in data.SOURCES.values()}
    assert set(sums) <= set(pinned)
    assert all(sums[filename] in pinned[filename] for filename in sums)


@needs_shared
@pytest.mark.parametrize("name", ["imdb", "spoken_digits", "beijing_pm25", "tiny_shakespeare"])
def test_real_file_with_one_byte_flipped_is_refused(name, data_dir, no_network):
    filename = data.SOURCES[name].filename
    (data_dir / filename).write_bytes(_flip_middle_byte((SHARED_DATA / filename).read_bytes()))
    with pytest.raises(DatasetError, match=f"'{re.escape(filename)}' in BOOK_DATA_DIR .* is not the"):
        LOADERS[name]()


@needs_shared
def test_real_image_datasets(shared_data):
    mnist = data.load_mnist()
    assert mnist.x_train.shape == (60000, 28, 28) and mnist.y_test.shape == (10000,)
    assert not mnist.is_subset and mnist.source == ("mnist.npz: local copy from BOOK_DATA_DIR, "
                                                    "SHA-256 06af5dfe… verified")
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


@needs_shared
def test_the_local_archives_members_match_their_pins():
    for name in ("mr", "spoken_digits"):
        source = data.SOURCES[name]
        digest, count = data.member_digest(SHARED_DATA / source.filename, source.members.pattern)
        assert (digest, count) == (source.members.sha256, source.members.count)


def test_cifar_per_class_sizes_are_the_same_whichever_file_was_found(data_dir, no_network, monkeypatch):
    _pin(monkeypatch, "cifar10", SYNTHETIC["cifar10"][0]())
    (data_dir / "cifar-10-python.tar.gz").write_bytes(SYNTHETIC["cifar10"][0]())
    full = data.load_cifar10()
    cifar = data.load_cifar10(train_per_class=3, test_per_class=1)
    assert np.bincount(cifar.y_train).tolist() == [3] * 10 and np.bincount(cifar.y_test).tolist() == [1] * 10
    assert (cifar.x_train == full.x_train[:30]).all()  # the synthetic labels cycle 0-9: the first 30
    assert "first 3 train / 1 test images per class" in cifar.name
    with pytest.raises(ValueError, match="ask for 1 to 5 per class, not 6"):
        data.load_cifar10(train_per_class=6)


@needs_shared
def test_cifar_subset_asked_for_its_own_sizes_comes_back_unchanged(shared_data):
    subset, same = data.load_cifar10(), data.load_cifar10(train_per_class=1_000, test_per_class=200)
    assert (subset.x_train == same.x_train).all() and (subset.y_test == same.y_test).all()
