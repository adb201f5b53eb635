"""What the SHA-256 check costs each loader: hashing time against the whole load, from local copies.

    BOOK_DATA_DIR=../shared/data python tools/bench_data.py [--repeats 3]

For each loader: the median time to hash its file (what every load adds), the median time of the
whole load (hash included), and the share. For the archives pinned by their members too, the
time of the whole load when the archive's bytes match no pinned hash (a regenerated GitHub
archive), so that its members are hashed as they are read.
"""

import argparse
import dataclasses
import functools
import statistics
import time

from cnnrnn import data


def local_source(name, folder):
    """The source a loader reads from ``folder``: its own, or the course's subset (CIFAR-10)."""
    subset = f"{name}_subset"
    if subset in data.SOURCES and not (folder / data.SOURCES[name].filename).exists():
        return subset
    return name


def median_seconds(function, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    folder = data.data_dir()
    if folder is None:
        parser.error("set BOOK_DATA_DIR to the course's data folder")
    print(f"{'loader':<24}{'MB':>8}{'hash ms':>10}{'load ms':>10}{'share':>8}{'load ms, members':>18}")
    for loader_name, loader in data.LOADERS.items():
        name = local_source(loader_name, folder)
        source = data.SOURCES[name]
        path = folder / source.filename
        hashing = median_seconds(functools.partial(data.sha256_of, path), args.repeats)
        loading = median_seconds(loader, args.repeats)
        members = ""
        if source.members is not None:
            data.SOURCES[name] = dataclasses.replace(source, pins=())
            members = f"{1000 * median_seconds(loader, args.repeats):.0f}"
            data.SOURCES[name] = source
        print(f"{name:<24}{path.stat().st_size / 1e6:>8.1f}{1000 * hashing:>10.1f}"
              f"{1000 * loading:>10.0f}{hashing / loading:>8.1%}{members:>18}")


if __name__ == "__main__":
    main()
