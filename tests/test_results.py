import json

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
    (tmp_path / "18_same_task.ipynb").write_text(json.dumps({"cells": [cell]}))
    owners = results.recorded_names(tmp_path)
    assert results.chapter_of("lm_char_lstm_ppl", owners) == "18_same_task"
    assert results.chapter_of("mr_kim_cnn_accuracy", owners) == "18_same_task"
    assert results.chapter_of("table_lstm_step_ms", owners) == "18_same_task"
    assert results.chapter_of("pool_global_max_acc", owners) == "18_same_task"  # quotes in {}
    assert results.chapter_of("something_else", owners) == ""


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

