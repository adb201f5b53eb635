"""The book's recorded headline numbers: which chapter records each, and how two runs compare.

Every chapter records its headline numbers with :func:`cnnrnn.record` into the results file
(``BOOK_RESULTS``). The book's results page is made from that file when the book is built
(book/_ext/cnnrnn_book.py), and a reader compares their own run with the published one:

    python -m cnnrnn.results compare my-results.json published-results.json

Runs of the same chapters on several seeds (``make seeds``) are merged into one file whose
values are the first run's, with the seed spread beside each number:

    python -m cnnrnn.results merge seed-42.json seed-1.json seed-2.json --out results.json

A number differs when it is further from the published one than its recorded seed spread
(``spread``, recorded beside the value where a chapter measured one over several seeds), or,
where no spread was recorded, than ``--tolerance`` (relative, 2% by default).

Chapter 23 reads the results back into one table of the CNN-versus-RNN comparisons across the
book (:func:`family_table`): one row per task and chapter, one column per family, each value with
its mode, and the chapter to run where one is missing; never a number that was not recorded.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from cnnrnn.config import load_results

RECORD_CALL = re.compile(r"""\brecord\(\s*(?:#[^\n]*\s*)*(f?)(["'])([^"'\n]+)\2""")
# In a cell that records, a string that looks like a name may be one passed in a variable:
# ``for key, value in [("table_lstm_step_ms", ...)]: record(key, value)``.
NAME_LITERAL = re.compile(r"""["']([a-z][a-z0-9]*_[a-z0-9_]+)["']""")
# Beside each number on the results page, in this order; the margin is computed (see margin()).
DETAIL_COLUMNS = ("threshold", "margin", "reference", "source", "spread", "seeds", "units")


def recorded_names(notebooks: Path) -> dict[str, str]:
    """``{name pattern: notebook stem}`` for every ``record("name", ...)`` in the notebooks.

    A literal name is its own pattern; an f-string's fields match anything
    (``f"lm_{name}_test_perplexity"`` becomes ``lm_.+_test_perplexity``).
    """
    owners = {}
    for notebook in sorted(notebooks.glob("[0-9][0-9]_*.ipynb")):
        cells = json.loads(notebook.read_text())["cells"]
        sources = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
        for source in sources:
            for pattern in _record_patterns(source):
                owners.setdefault(pattern, notebook.stem)
        for source in sources:
            if "record(" in source:
                for name in NAME_LITERAL.findall(source):
                    owners.setdefault(re.escape(name), notebook.stem)
    return owners


def _record_patterns(source: str) -> list[str]:
    """The name pattern of each ``record(name, ...)`` call in one cell's source.

    Read from the cell's syntax tree, so that an f-string's fields may hold quotes
    (``f"pool_{name.replace(' ', '_')}_accuracy"``); a cell that is not plain Python (an IPython
    magic) falls back to a regular expression.
    """
    plain = "\n".join("" if line.lstrip()[:1] in "%!" else line for line in source.splitlines())
    try:
        tree = ast.parse(plain)
    except SyntaxError:
        return [
            ".+".join(map(re.escape, re.split(r"\{[^}]*\}", name) if f else [name]))
            for f, _, name in RECORD_CALL.findall(source)
        ]
    patterns = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        func = node.func
        if (func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)) != "record":
            continue
        name = node.args[0]
        if isinstance(name, ast.Constant) and isinstance(name.value, str):
            patterns.append(re.escape(name.value))
        elif isinstance(name, ast.JoinedStr):
            patterns.append(
                "".join(  # each {field} matches any text
                    re.escape(part.value) if isinstance(part, ast.Constant) else ".+" for part in name.values
                )
            )
    return patterns


def chapter_of(name: str, owners: dict[str, str]) -> str:
    """The notebook that records ``name`` (see :func:`recorded_names`), or "" if none does."""
    if re.escape(name) in owners:
        return owners[re.escape(name)]
    matches = [(pattern, stem) for pattern, stem in owners.items() if re.fullmatch(pattern, name)]
    # Two f-strings may both match: chapter 10's f"adding_T{n}_{cell}_test_mse" and chapter 26's
    # f"adding_T{n}_transformer_test_mse". The one that fixes more of the name records it.
    return max(matches, key=lambda match: len(_fixed_text(match[0])), default=("", ""))[1]


def _fixed_text(pattern: str) -> str:
    """What a name pattern of :func:`recorded_names` fixes: its text without the wildcards."""
    return re.sub(r"\\(.)", r"\1", pattern.replace(".+", ""))


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def format_value(value) -> str:
    if not _is_number(value):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:.4g}"


def margin(entry: dict) -> float | None:
    """By how much a recorded value clears the threshold its chapter asserts: value - threshold,
    or threshold - value where lower is better (``higher_is_better: false``: a loss, an error,
    seconds). Negative when the value is on the wrong side; None when there is no threshold."""
    value, threshold = entry.get("value"), entry.get("threshold")
    if not (_is_number(value) and _is_number(threshold)):
        return None
    return value - threshold if entry.get("higher_is_better", True) else threshold - value


def _details(entry: dict) -> dict[str, str]:
    """The page's text for each of DETAIL_COLUMNS that the entry has: the threshold with its
    direction ("≥ 0.87", "≤ 6"), and the margin with its sign ("+0.012")."""
    details = {key: format_value(entry[key]) for key in DETAIL_COLUMNS if key in entry}
    if "threshold" in entry:
        direction = "≥" if entry.get("higher_is_better", True) else "≤"
        details["threshold"] = f"{direction} {details['threshold']}"
    if (gap := margin(entry)) is not None:
        details["margin"] = f"{gap:+.4g}"
    return details


@dataclass(frozen=True)
class Row:
    chapter: str  # the notebook's stem, "" when no notebook records the name literally
    name: str
    value: str
    mode: str
    details: dict
    machine: str


def rows(results: dict, owners: dict[str, str]) -> list[Row]:
    """One row per recorded number, in chapter order then by name."""
    table = []
    for name, entry in results.items():
        table.append(
            Row(
                chapter_of(name, owners),
                name,
                format_value(entry["value"]),
                entry.get("mode", ""),
                _details(entry),
                entry.get("machine", ""),
            )
        )
    return sorted(table, key=lambda row: (row.chapter or "~", row.name))


@dataclass(frozen=True)
class Difference:
    name: str
    mine: object
    published: object
    allowed: float | None  # None: not numeric, or missing on one side
    why: str


def compare(mine: dict, published: dict, tolerance: float = 0.02) -> list[Difference]:
    """The numbers of ``mine`` that differ from ``published`` beyond the seed spread (or tolerance)."""
    differences = []
    for name in sorted(set(mine) | set(published)):
        if name not in mine or name not in published:
            where = "published only" if name not in mine else "yours only"
            differences.append(
                Difference(
                    name, mine.get(name, {}).get("value"), published.get(name, {}).get("value"), None, where
                )
            )
            continue
        a, b = mine[name]["value"], published[name]["value"]
        numeric = _is_number(a) and _is_number(b)
        if not numeric:
            if a != b:
                differences.append(Difference(name, a, b, None, "different value"))
            continue
        spread = published[name].get("spread")
        allowed = float(spread) if spread is not None else tolerance * abs(b)
        if abs(a - b) > allowed:
            reason = "beyond the seed spread" if spread is not None else f"beyond {tolerance:.0%}"
            differences.append(Difference(name, a, b, allowed, reason))
    return differences


def merge_seeds(runs: list[dict]) -> dict:
    """The first run's entries, each number with ``spread`` (max - min over the runs that
    recorded it) and ``seeds`` ("42: 0.9931, 1: 0.9925, ...") beside it."""
    merged = {}
    for name, entry in runs[0].items():
        values = [(run[name].get("seed", "?"), run[name]["value"]) for run in runs if name in run]
        numbers = [v for _, v in values if _is_number(v)]
        merged[name] = dict(entry)
        if len(numbers) == len(values) and len(values) > 1:
            merged[name]["spread"] = max(numbers) - min(numbers)
            merged[name]["seeds"] = ", ".join(f"{seed}: {format_value(v)}" for seed, v in values)
    return merged


def format_metric(value, metric):
    """``'86.1%'`` for an accuracy, ``'0.0012'`` for a mean squared error (``MSE``: small numbers
    that one decimal would show as 0.0), ``'21.3'`` for any other metric (an MAE in µg/m³, say)."""
    if not _is_number(value):
        raise TypeError(f"a recorded value must be a number, not {value!r}")
    if "accuracy" in metric:
        return f"{value:.1%}"
    return f"{value:.4f}" if "MSE" in metric else f"{value:.1f}"


def _check_entries(entries, metrics, families):
    for (task, chapter), row in entries.items():
        if task not in metrics:
            raise ValueError(
                f"unknown task {task!r} (chapter {chapter}): add it to the metrics, "
                f"which know {sorted(metrics)}"
            )
        for family, model, _ in row:
            if family not in families:
                raise ValueError(
                    f"{model} of {chapter} is in family {family!r}, which is not one "
                    f"of the table's columns {list(families)}"
                )


def family_table(results, entries, metrics, families, *, notes=None):
    """The recorded results, one row per ``(task, chapter)``: a DataFrame, the chapters to run
    (sorted), and the modes the table's values were recorded in.

    ``results`` is what ``cnnrnn.config.load_results()`` returns; ``entries`` maps
    ``(task, chapter)`` to ``[(family, model, recorded name), ...]``; ``metrics`` maps a task to
    ``(metric, True if higher is better)``; ``families`` are the columns, in order. ``notes`` maps
    ``(task, family)`` to a text shown in that column of every row of the task, in place of results.
    A value whose ``<name>_std`` was recorded over more than one fold is shown with ``± std``;
    the best recorded model of a row is named only when all its values share one mode.
    """
    import pandas as pd  # here: the command line (compare, merge) does without it

    _check_entries(entries, metrics, families)
    notes = notes or {}
    table_rows, missing, modes = {}, set(), set()
    for (task, chapter), row_entries in entries.items():
        metric, higher_is_better = metrics[task]
        cells = {family: [] for family in families}
        recorded, row_modes = [], set()  # (value, model) pairs; the modes of this row
        for family, model, name in row_entries:
            if name not in results:
                cells[family].append(f"{model}: not run yet (run chapter {chapter})")
                missing.add(chapter)
                continue
            entry = results[name]
            text = f"{model} {format_metric(entry['value'], metric)}"
            std_entry = results.get(f"{name}_std", {})
            if std_entry.get("n_folds", 0) > 1:  # a spread over folds
                text += f" ± {format_metric(std_entry['value'], metric)}"
            cells[family].append(f"{text} [{entry['mode']}]")
            recorded.append((entry["value"], f"{model} ({family})"))
            row_modes.add(entry["mode"])
        for family in families:
            if (task, family) in notes:
                cells[family] = [notes[(task, family)]]
        ranked = sorted(recorded, reverse=higher_is_better)  # best first
        if len(row_modes) > 1:  # quick and full values are not comparable
            best = "mixed modes: not compared"
        else:
            best = ranked[0][1] if len(ranked) > 1 else ""
        table_rows[(task, chapter)] = {
            "metric": metric,
            **{family: "; ".join(cells[family]) for family in families},
            "best recorded in the row": best,
        }
        modes |= row_modes
    table = pd.DataFrame.from_dict(table_rows, orient="index")
    table.index.names = ["task", "source chapter"]
    return table, sorted(missing), modes


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cnnrnn.results", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    compare_parser = commands.add_parser("compare", help="name what differs between two results files")
    compare_parser.add_argument("mine", type=Path)
    compare_parser.add_argument("published", type=Path)
    compare_parser.add_argument(
        "--tolerance",
        type=float,
        default=0.02,
        help="relative difference allowed where no seed spread was recorded",
    )
    merge_parser = commands.add_parser("merge", help="one file from runs on several seeds")
    merge_parser.add_argument("runs", type=Path, nargs="+", help="results files, the published seed first")
    merge_parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.command == "merge":
        missing = [str(path) for path in args.runs if not path.is_file()]
        if missing:
            parser.error(f"no such results file: {', '.join(missing)}")
        merged = merge_seeds([load_results(path) for path in args.runs])
        args.out.write_text(json.dumps(merged, indent=1, sort_keys=True))
        print(f"{len(merged)} numbers from {len(args.runs)} runs written to {args.out}")
        return 0
    for path in (args.mine, args.published):
        if not path.is_file():
            parser.error(f"{path} is not a file: give two results files (BOOK_RESULTS of two runs)")
    mine, published = load_results(args.mine), load_results(args.published)
    mode_mine = {e.get("mode") for e in mine.values()}
    mode_published = {e.get("mode") for e in published.values()}
    if mode_mine != mode_published:
        print(
            f"note: modes differ (yours {sorted(mode_mine)}, published {sorted(mode_published)}): "
            "quick-mode numbers are not comparable with full-mode ones"
        )
    differences = compare(mine, published, args.tolerance)
    shared = len(set(mine) & set(published))
    print(f"{shared} numbers in both files; {len(differences)} differ")
    for d in differences:
        print(f"  {d.name}: yours {format_value(d.mine)}, published {format_value(d.published)} ({d.why})")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
