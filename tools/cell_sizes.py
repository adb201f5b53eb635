"""Code-cell sizes across the book: non-blank lines per code cell, as STYLE.md counts them.

    python tools/cell_sizes.py              # book-wide distribution and the longest cells
    python tools/cell_sizes.py --per-chapter

Counts every code cell of every notebook in notebooks/ (the Colab set-up cell included).
"""

import argparse
import json
import statistics
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cell_sizes(notebook):
    """(cell index, non-blank lines, first line) for each code cell of one notebook."""
    cells = json.loads(Path(notebook).read_text())["cells"]
    sizes = []
    for i, cell in enumerate(cells):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        lines = [line for line in source.splitlines() if line.strip()]
        sizes.append((i, len(lines), lines[0] if lines else ""))
    return sizes


def percentile(values, q):
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def summary(values):
    return {
        "cells": len(values),
        "median": statistics.median(values),
        "p90": percentile(values, 90),
        "max": max(values),
        "over_30": sum(v > 30 for v in values),
        "over_60": sum(v > 60 for v in values),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-chapter", action="store_true", help="one line per notebook")
    parser.add_argument("--longest", type=int, default=10, help="how many of the longest cells to list")
    args = parser.parse_args()

    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    every = []
    print(f"{'notebook':28} {'cells':>5} {'median':>6} {'p90':>4} {'max':>4} {'>30':>4} {'>60':>4}")
    for nb in notebooks:
        sizes = cell_sizes(nb)
        every += [(nb.stem, i, n, first) for i, n, first in sizes]
        if args.per_chapter:
            s = summary([n for _, n, _ in sizes])
            print(
                f"{nb.stem:28} {s['cells']:5} {s['median']:6} {s['p90']:4} {s['max']:4}"
                f" {s['over_30']:4} {s['over_60']:4}"
            )
    s = summary([n for *_, n, _ in every])
    print(f"{'ALL':28} {s['cells']:5} {s['median']:6} {s['p90']:4} {s['max']:4}"
          f" {s['over_30']:4} {s['over_60']:4}")
    print(f"\nlongest {args.longest} cells:")
    for stem, i, n, first in sorted(every, key=lambda e: -e[2])[: args.longest]:
        print(f"  {n:4} lines  {stem} cell {i}: {first[:60]}")


if __name__ == "__main__":
    main()
