"""cnnrnn.results.family_table: the recorded results across chapters, by family (chapter 23)."""

import pytest

from cnnrnn.results import family_table, format_metric

METRICS = {"reviews": ("test accuracy", True), "air": ("test MAE, µg/m³", False)}
FAMILIES = ["CNN family", "RNN family", "baseline"]
ENTRIES = {
    ("reviews", "11_lstm_gru"): [("RNN family", "LSTM", "lstm_acc"), ("RNN family", "GRU", "gru_acc")],
    ("air", "16_forecasting"): [("CNN family", "TCN", "tcn_mae"), ("RNN family", "GRU", "gru_mae"),
                                ("baseline", "persistence", "persistence_mae")],
}


def _entry(value, mode="full", **details):
    return {"value": value, "mode": mode, "recorded": "2025-01-01T00:00:00+00:00", **details}


def test_format_metric_shows_accuracies_as_percentages_and_other_metrics_plain():
    assert format_metric(0.8612, "test accuracy") == "86.1%"
    assert format_metric(21.34, "test MAE, µg/m³") == "21.3"
    assert format_metric(0.00123, "test MSE, T = 100") == "0.0012"
    with pytest.raises(TypeError, match="must be a number"):
        format_metric("0.9", "test accuracy")


def test_every_recorded_value_is_shown_with_its_mode_and_the_best_model_is_named():
    results = {"lstm_acc": _entry(0.86), "gru_acc": _entry(0.87), "tcn_mae": _entry(20.0),
               "gru_mae": _entry(21.5), "persistence_mae": _entry(30.0)}
    table, missing, modes = family_table(results, ENTRIES, METRICS, FAMILIES)
    assert missing == [] and modes == {"full"}
    assert list(table.columns) == ["metric", *FAMILIES, "best recorded in the row"]
    assert table.index.names == ["task", "source chapter"]
    reviews = table.loc[("reviews", "11_lstm_gru")]
    assert reviews["RNN family"] == "LSTM 86.0% [full]; GRU 87.0% [full]"
    assert reviews["CNN family"] == ""
    assert reviews["best recorded in the row"] == "GRU (RNN family)"  # higher is better
    air = table.loc[("air", "16_forecasting")]
    assert air["CNN family"] == "TCN 20.0 [full]"
    assert air["best recorded in the row"] == "TCN (CNN family)"  # lower is better


def test_a_missing_result_names_the_chapter_to_run_and_is_never_ranked():
    results = {"lstm_acc": _entry(0.86)}
    table, missing, modes = family_table(results, ENTRIES, METRICS, FAMILIES)
    assert missing == ["11_lstm_gru", "16_forecasting"]
    assert modes == {"full"}
    reviews = table.loc[("reviews", "11_lstm_gru")]
    assert reviews["RNN family"] == "LSTM 86.0% [full]; GRU: not run yet (run chapter 11_lstm_gru)"
    assert reviews["best recorded in the row"] == ""  # one value: nothing to compare
    assert table.loc[("air", "16_forecasting"), "best recorded in the row"] == ""


def test_values_of_different_modes_are_not_compared():
    results = {"lstm_acc": _entry(0.86), "gru_acc": _entry(0.60, mode="quick")}
    table, _, modes = family_table(results, ENTRIES, METRICS, FAMILIES)
    assert modes == {"full", "quick"}
    assert table.loc[("reviews", "11_lstm_gru"), "best recorded in the row"] == (
        "mixed modes: not compared")


def test_a_spread_over_several_folds_is_shown_and_one_folds_is_not():
    results = {"lstm_acc": _entry(0.86), "lstm_acc_std": _entry(0.012, n_folds=10),
               "gru_acc": _entry(0.87), "gru_acc_std": _entry(0.0, n_folds=1)}
    table, _, _ = family_table(results, ENTRIES, METRICS, FAMILIES)
    assert table.loc[("reviews", "11_lstm_gru"), "RNN family"] == (
        "LSTM 86.0% ± 1.2% [full]; GRU 87.0% [full]")


def test_a_note_replaces_a_familys_cell_in_every_row_of_its_task():
    table, _, _ = family_table({}, ENTRIES, METRICS, FAMILIES,
                                 notes={("reviews", "CNN family"): "none recorded"})
    assert table.loc[("reviews", "11_lstm_gru"), "CNN family"] == "none recorded"
    assert table.loc[("air", "16_forecasting"), "CNN family"].startswith("TCN: not run yet")


def test_unknown_tasks_and_families_are_named():
    with pytest.raises(ValueError, match="unknown task 'speech'"):
        family_table({}, {("speech", "16"): []}, METRICS, FAMILIES)
    with pytest.raises(ValueError, match="family 'hybrid'"):
        family_table({}, {("air", "12"): [("hybrid", "CRNN", "x")]}, METRICS, FAMILIES)
