"""Tables of the results that chapters recorded with ``record()``, read back across the book.

Chapter 18 gathers, in one table, the CNN-versus-RNN results of the earlier chapters: one row per
task and chapter, one column per family. The table says what was measured and in which mode, and
where a result is missing it names the chapter to run; it never shows a number that was not
recorded.
"""

from __future__ import annotations

import pandas as pd


def format_value(value, metric):
    """``'86.1%'`` for an accuracy, ``'21.3'`` for any other metric (an MAE in µg/m³, say)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"a recorded value must be a number, not {value!r}")
    return f"{value:.1%}" if "accuracy" in metric else f"{value:.1f}"


def _check(entries, metrics, families):
    for (task, chapter), row in entries.items():
        if task not in metrics:
            raise ValueError(f"unknown task {task!r} (chapter {chapter}): add it to the metrics, "
                             f"which know {sorted(metrics)}")
        for family, model, _ in row:
            if family not in families:
                raise ValueError(f"{model} of {chapter} is in family {family!r}, which is not one "
                                 f"of the table's columns {list(families)}")


def recorded_table(results, entries, metrics, families, *, notes=None):
    """The recorded results, one row per ``(task, chapter)``: a DataFrame, the chapters to run
    (sorted), and the modes the table's values were recorded in.

    ``results`` is what ``cnnrnn.config.load_results()`` returns; ``entries`` maps
    ``(task, chapter)`` to ``[(family, model, recorded name), ...]``; ``metrics`` maps a task to
    ``(metric, True if higher is better)``; ``families`` are the columns, in order. ``notes`` maps
    ``(task, family)`` to a text shown in that column of every row of the task, in place of results.
    A value whose ``<name>_std`` was recorded over more than one fold is shown with ``± std``;
    the best recorded model of a row is named only when all its values share one mode.
    """
    _check(entries, metrics, families)
    notes = notes or {}
    rows, missing, modes = {}, set(), set()
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
            text = f"{model} {format_value(entry['value'], metric)}"
            std_entry = results.get(f"{name}_std", {})
            if std_entry.get("n_folds", 0) > 1:  # a spread over folds
                text += f" ± {format_value(std_entry['value'], metric)}"
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
        rows[(task, chapter)] = {
            "metric": metric,
            **{family: "; ".join(cells[family]) for family in families},
            "best recorded in the row": best,
        }
        modes |= row_modes
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.names = ["task", "source chapter"]
    return table, sorted(missing), modes
