import ast
import json
from pathlib import Path

import pytest

from cnnrnn import config, results


def _entry(value, **details):
    return {"value": value, "mode": "full", "recorded": "2026-12-04T10:00:00+00:00", **details}


def test_compare_names_what_moved_beyond_the_seed_spread_or_the_tolerance():
    published = {"accuracy": _entry(0.90, spread=0.01), "mae": _entry(30.0), "label": _entry("GRU"),
                 "gone": _entry(1.0)}
    mine = {"accuracy": _entry(0.895), "mae": _entry(30.5), "label": _entry("LSTM"), "new": _entry(2)}
    found = {d.name: d.why for d in results.compare(mine, published, tolerance=0.02)}
    assert found == {"label": "different value", "gone": "published only", "new": "yours only"}
    mine["accuracy"], mine["mae"] = _entry(0.8899), _entry(30.7)  # 0.0101 > spread; 0.7 > 2% of 30
    found = {d.name: d.why for d in results.compare(mine, published, tolerance=0.02)}
    assert found["accuracy"] == "beyond the seed spread" and found["mae"] == "beyond 2%"


def test_compare_command_exits_1_and_names_each_difference(tmp_path, capsys):
    mine, published = tmp_path / "mine.json", tmp_path / "published.json"
    mine.write_text(json.dumps({"a": _entry(1.0), "b": _entry(5.0)}))
    published.write_text(json.dumps({"a": _entry(1.001), "b": _entry(6.0)}))
    assert results.main(["compare", str(mine), str(published)]) == 1
    out = capsys.readouterr().out
    assert "2 numbers in both files; 1 differ" in out and "b: yours 5, published 6 (beyond 2%)" in out
    assert results.main(["compare", str(mine), str(mine)]) == 0
    with pytest.raises(SystemExit):
        results.main(["compare", str(tmp_path / "missing.json"), str(published)])


def test_every_recorded_name_is_found_in_its_chapter(tmp_path):
    cell = {"cell_type": "code", "source": ['record("lm_char_lstm_ppl", x)\n',
                                            'record(\n    f"mr_{key}_accuracy", y)\n',
                                            'for key in ["table_lstm_step_ms"]:\n',
                                            '    record(  # a comment\n key, 1.0)\n',
                                            "record(f\"pool_{n.replace(' ', '_')}_acc\", z)\n"]}
    (tmp_path / "23_same_task.ipynb").write_text(json.dumps({"cells": [cell]}))
    owners = results.recorded_names(tmp_path)
    assert results.chapter_of("lm_char_lstm_ppl", owners) == "23_same_task"
    assert results.chapter_of("mr_kim_cnn_accuracy", owners) == "23_same_task"
    assert results.chapter_of("table_lstm_step_ms", owners) == "23_same_task"
    assert results.chapter_of("pool_global_max_acc", owners) == "23_same_task"  # quotes in {}
    assert results.chapter_of("something_else", owners) == ""


def test_a_name_two_patterns_match_belongs_to_the_more_specific_one(tmp_path):
    def chapter(stem, source):
        cell = {"cell_type": "code", "source": [source]}
        (tmp_path / f"{stem}.ipynb").write_text(json.dumps({"cells": [cell]}))

    chapter("10_vanishing_gradients", 'record(f"adding_T{n}_{cell.lower()}_test_mse", x)\n')
    chapter("26_transformer", 'record(f"adding_T{n}_transformer_test_mse", y)\n')
    owners = results.recorded_names(tmp_path)
    assert results.chapter_of("adding_T100_transformer_test_mse", owners) == "26_transformer"
    assert results.chapter_of("adding_T100_lstm_test_mse", owners) == "10_vanishing_gradients"


def test_record_stores_the_seed_and_machine_that_setup_reported(tmp_path, monkeypatch):
    monkeypatch.setenv("BOOK_RESULTS", str(tmp_path / "results.json"))
    monkeypatch.setattr(config, "_RUN", {"seed": 7, "machine": "a test machine"})
    config.record("answer", 42, units="things")
    entry = config.load_results()["answer"]
    assert (entry["value"], entry["seed"], entry["machine"], entry["units"]) == (42, 7, "a test machine",
                                                                               "things")


def test_merge_keeps_the_first_seed_and_adds_the_spread(tmp_path):
    runs = [{"acc": _entry(0.90, seed=42), "label": _entry("GRU", seed=42)},
            {"acc": _entry(0.88, seed=1), "label": _entry("LSTM", seed=1)},
            {"acc": _entry(0.91, seed=2)}]
    merged = results.merge_seeds(runs)
    assert merged["acc"]["value"] == 0.90 and merged["acc"]["spread"] == pytest.approx(0.03)
    assert merged["acc"]["seeds"] == "42: 0.9, 1: 0.88, 2: 0.91"
    assert "spread" not in merged["label"]
    files = []
    for i, run in enumerate(runs):
        files.append(tmp_path / f"seed{i}.json")
        files[-1].write_text(json.dumps(run))
    assert results.main(["merge", *map(str, files), "--out", str(tmp_path / "merged.json")]) == 0
    assert json.loads((tmp_path / "merged.json").read_text()) == merged


def test_book_seed_replaces_the_chapter_seed_and_a_bad_one_is_refused(monkeypatch):
    monkeypatch.setenv("BOOK_SEED", "7")
    assert config.seed_from_environment(42) == 7
    monkeypatch.setenv("BOOK_SEED", "seven")
    with pytest.raises(ValueError, match="BOOK_SEED='seven' is not an integer"):
        config.seed_from_environment(42)
    monkeypatch.delenv("BOOK_SEED")
    assert config.seed_from_environment(42) == 42


def test_margin_is_how_far_the_value_clears_its_threshold_in_its_direction():
    assert results.margin(_entry(0.90, threshold=0.87)) == pytest.approx(0.03)
    assert results.margin(_entry(0.85, threshold=0.87, higher_is_better=True)) == pytest.approx(-0.02)
    assert results.margin(_entry(5.5, threshold=6.0, higher_is_better=False)) == pytest.approx(0.5)
    assert results.margin(_entry(6.5, threshold=6.0, higher_is_better=False)) == pytest.approx(-0.5)
    assert results.margin(_entry(0.90)) is None  # no threshold, no margin
    assert results.margin(_entry("GRU", threshold=1.0)) is None


def test_results_page_rows_show_threshold_direction_margin_and_reference():
    recorded = {"acc": _entry(0.9931, threshold=0.992, reference=0.992, source="Keras example"),
                "ppl": _entry(5.5, threshold=6.0, higher_is_better=False),
                "seconds": _entry(12.0)}
    table = {row.name: row.details for row in results.rows(recorded, {})}
    assert table["acc"] == {"threshold": "≥ 0.992", "margin": "+0.0011", "reference": "0.992",
                            "source": "Keras example"}
    assert table["ppl"] == {"threshold": "≤ 6", "margin": "+0.5"}
    assert table["seconds"] == {}


def test_record_stores_the_threshold_its_direction_and_numpy_numbers_as_python_ones(tmp_path, monkeypatch):
    np = pytest.importorskip("numpy")
    monkeypatch.setenv("BOOK_RESULTS", str(tmp_path / "results.json"))
    config.record("loss", np.float32(0.5), threshold=np.float64(0.75), higher_is_better=False,
                  n_test=np.int64(10))
    config.record("accuracy", 0.9, threshold=None, higher_is_better=False)
    entries = config.load_results()
    assert entries["loss"]["threshold"] == 0.75 and entries["loss"]["higher_is_better"] is False
    assert entries["loss"]["n_test"] == 10
    assert "threshold" not in entries["accuracy"] and "higher_is_better" not in entries["accuracy"]
    with pytest.raises(TypeError, match="threshold"):
        config.record("accuracy", 0.9, threshold="0.8")


# -- every asserted headline number is recorded with its threshold ------------------------------

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)


def _code_cells(notebook: Path) -> list[ast.Module]:
    """Each code cell's syntax tree (an IPython magic read as ``pass``). A cell that is not
    Python alone (a method of a class begun cells above, d2l-style) is left out if it records
    nothing."""
    trees = []
    for cell in json.loads(notebook.read_text())["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        try:
            trees.append(ast.parse("\n".join(
                line[: len(line) - len(line.lstrip())] + "pass" if line.lstrip()[:1] in "%!" else line
                for line in source.splitlines())))
        except SyntaxError:
            if "record(" in source:
                raise
    return trees


def _calls(tree: ast.AST, name: str) -> list[ast.Call]:
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)
            and (getattr(node.func, "id", None) or getattr(node.func, "attr", None)) == name]


def _is_threshold(node: ast.expr) -> bool:
    """A side of a comparison that is a threshold: a number, an UPPER_CASE constant, or anything
    with a ``quick_or_full(quick, full)`` in it."""
    if isinstance(node, ast.UnaryOp):
        node = node.operand
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
    if isinstance(node, ast.Name):
        return node.id.isupper()
    return bool(_calls(node, "quick_or_full"))


def _plain(node: ast.expr) -> str:
    """An expression as text, without the float()/int() that a record() may wrap it in."""
    while isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("float", "int"):
        node = node.args[0]
    return ast.dump(node)


def asserted_but_recorded_without_threshold(tree: ast.Module) -> list[str]:
    """The record() calls of one cell whose value an assert of the same cell compares with a
    threshold, but which pass no ``threshold=``."""
    checked = set()
    for statement in ast.walk(tree):
        if not isinstance(statement, ast.Assert):
            continue
        for compare in (n for n in ast.walk(statement.test) if isinstance(n, ast.Compare)):
            sides = [compare.left, *compare.comparators]
            for op, left, right in zip(compare.ops, sides, sides[1:], strict=False):
                if isinstance(op, ORDERING):
                    checked |= {_plain(a) for a, b in ((left, right), (right, left)) if _is_threshold(b)}
    return [ast.unparse(call) for call in _calls(tree, "record")
            if len(call.args) > 1 and _plain(call.args[1]) in checked
            and not any(keyword.arg == "threshold" for keyword in call.keywords)]


def test_the_threshold_rule_finds_an_asserted_number_recorded_without_its_threshold():
    cell = ast.parse("assert accuracy >= quick_or_full(0.6, 0.9), accuracy\n"
                     "assert 1e-5 > float(error)\n"
                     "assert seconds < 2 * baseline\n"  # relative to another number: not a threshold
                     'record("a", accuracy)\nrecord("e", error, threshold=1e-5, higher_is_better=False)\n'
                     'record("s", seconds)')
    assert asserted_but_recorded_without_threshold(cell) == ["record('a', accuracy)"]


@pytest.mark.parametrize("notebook", sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")), ids=lambda p: p.stem)
def test_every_asserted_number_is_recorded_with_its_threshold(notebook):
    missing = [call for tree in _code_cells(notebook)
               for call in asserted_but_recorded_without_threshold(tree)]
    assert not missing, f"{notebook.name}: pass threshold= (the assert's) to {missing}"


@pytest.mark.parametrize("notebook", sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")), ids=lambda p: p.stem)
def test_a_chapter_with_a_full_mode_assert_records_a_threshold(notebook):
    trees = _code_cells(notebook)
    full_mode_asserts = [node for tree in trees for node in ast.walk(tree)
                         if isinstance(node, ast.Assert) and _calls(node, "quick_or_full")]
    thresholds = [call for tree in trees for call in _calls(tree, "record")
                  if any(keyword.arg == "threshold" for keyword in call.keywords)]
    assert thresholds or not full_mode_asserts, f"{notebook.name} asserts full-mode thresholds, records none"
