"""Pack what a borrowed GPU machine needs to run the chapters, in parts small enough to carry.

The workplace's GPU machines (the `device` tool) have Python 3.12, JAX with CUDA, NumPy, SciPy,
scikit-learn, matplotlib and PyTorch, but no TensorFlow, no Keras and no network; a call carries at
most 64 MiB. The chapters run there on Keras' JAX backend (the GPU), with TensorFlow's CPU wheel
for what they take from it on every backend (tf.data, TextVectorization, tf.strings). This script
downloads the pinned wheels for that machine (versions from requirements.txt), leaves out
TensorFlow's C++ headers and TFLite (about 40 MB; nothing here uses them), and writes into OUT:

* ``small-N.zip``: every other wheel's files under ``site/`` and the datasets under ``data/``
  (each zip extractable on its own, so the first call can already try ``import keras``);
* ``tf.part-N``: TensorFlow's files, as one zip cut into pieces (``cat`` them back together).

Each piece is under ``--part-mib`` (default 60: the working tree, about 3 MiB, travels too).
Carry one piece per call (``carry: [".device/small-1.zip"]``), have the call move it out of the checkout
(``mkdir -p /tmp/stage && mv .device/* /tmp/stage/``), and make the calls back to back: the
machine stays warm only seconds between calls, and a fresh one starts bare. The last call::

    cd /tmp/stage && cat tf.part-* > tf.zip && for z in *.zip; do unzip -qo $z -d /tmp/b; done
    cd - && PYTHONPATH=/tmp/b/site BOOK_DATA_DIR=/tmp/b/data KERAS_BACKEND=jax \\
      XLA_PYTHON_CLIENT_PREALLOCATE=false python3 tools/run_chapters_plain.py 00 01 ... \\
      --parallel 8 --deadline 450 --out $OUT

(XLA_PYTHON_CLIENT_PREALLOCATE=false: several JAX processes share the GPU's memory.)

    python3 tools/device_bundle.py --out .device      # .device/ is ignored by git
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# What the chapters import that the machine's image lacks, or holds in another version than ours.
PACKAGES = [
    "tensorflow_cpu", "keras", "namex", "optree", "gast", "google-pasta", "astunparse",
    "termcolor", "wrapt", "protobuf", "flatbuffers", "opt_einsum", "h5py", "pandas", "librosa",
    "soundfile", "soxr", "audioread", "jiwer", "RapidFuzz", "keras-tuner", "kt-legacy",
    "pycocotools", "num2words", "pooch", "platformdirs", "decorator", "lazy-loader",
]
PLATFORMS = [f"manylinux_2_{n}_x86_64" for n in (17, 24, 27, 28, 31, 34)] + [
    "manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64"]
LEFT_OUT = ("tensorflow/include/", "tensorflow/lite/")


def pinned(name: str) -> str:
    """``name==version`` from requirements.txt."""
    wanted = re.sub(r"[-_.]+", "-", name).lower()
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        package, _, version = line.partition("==")
        if version and re.sub(r"[-_.]+", "-", package).lower() == wanted:
            return f"{package}=={version.strip()}"
    raise SystemExit(f"{name} is not pinned in requirements.txt: pin it, or drop it from PACKAGES")


def download(folder: Path) -> list[Path]:
    platforms = [arg for platform in PLATFORMS for arg in ("--platform", platform)]
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
               "--only-binary=:all:", "--python-version", "3.12", "--implementation", "cp",
               *platforms, "--dest", str(folder), *map(pinned, PACKAGES)]
    subprocess.run(command, check=True)
    return sorted(folder.glob("*.whl"))


def copy_wheel(wheel: Path, out: zipfile.ZipFile) -> None:
    with zipfile.ZipFile(wheel) as source:
        for info in source.infolist():
            if not info.is_dir() and not info.filename.startswith(LEFT_OUT):
                out.writestr("site/" + info.filename, source.read(info), zipfile.ZIP_DEFLATED)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / ".device")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--part-mib", type=float, default=60)
    args = parser.parse_args(argv)
    limit = int(args.part_mib * 2**20)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        wheels = download(Path(folder))
        tensorflow = [w for w in wheels if w.name.startswith("tensorflow_cpu-")]
        # The other wheels first, then the datasets, largest last, into zips under the limit.
        items = [("wheel", w) for w in wheels if w not in tensorflow]
        items += [("data", f) for f in sorted(args.data.iterdir(), key=lambda f: f.stat().st_size)]
        parts, current, size = [], None, 0
        for kind, path in items:
            estimate = path.stat().st_size
            if current is None or size + estimate > limit:
                if current:
                    current.close()
                parts.append(args.out / f"small-{len(parts) + 1}.zip")
                current, size = zipfile.ZipFile(parts[-1], "w"), 0
            if kind == "wheel":
                copy_wheel(path, current)
            else:
                current.write(path, "data/" + path.name, zipfile.ZIP_STORED)
            size += estimate
        current.close()
        whole = Path(folder) / "tf.zip"
        with zipfile.ZipFile(whole, "w") as out:
            for wheel in tensorflow:
                copy_wheel(wheel, out)
        blob = whole.read_bytes()
    for number, start in enumerate(range(0, len(blob), limit), 1):
        parts.append(args.out / f"tf.part-{number}")
        parts[-1].write_bytes(blob[start : start + limit])
    for part in parts:
        if part.stat().st_size > limit:
            raise SystemExit(f"{part} is {part.stat().st_size / 2**20:.1f} MiB, over the limit")
        print(f"{part}  {part.stat().st_size / 2**20:.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
