"""tools/renumber_chapters.py: each chapter reference is moved once, and only those from N up."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
from renumber_chapters import ROOT, chapters, rewrite, tracked  # noqa: E402

STEMS = {"09_lstm_gru": "09_lstm_gru", "14_crnn_ctc": "14_crnn_ctc"}


def test_a_file_name_after_the_word_chapter_moves_once():
    assert rewrite("run chapter 09_lstm_gru)", STEMS, 5, 1) == "run chapter 09_lstm_gru)"


def test_prose_numbers_move_from_the_start_at_their_own_width():
    text = "chapters 00, 08, 09, 10, 13 and 18; Chapter 14's decoder; chapters 14–17; chapter 4, a"
    assert rewrite(text, STEMS, 5, 1) == (
        "chapters 00, 09, 10, 11, 14 and 19; Chapter 15's decoder; chapters 15–18; chapter 4, a"
    )


def test_figure_names_move_and_unknown_file_names_stay():
    assert rewrite("fig-09-gates, fig-04-x", STEMS, 5, 2) == "fig-11-gates, fig-04-x"
    assert rewrite("chapter 13_other", STEMS, 5, 1) == "chapter 13_other"


def test_two_chapters_with_one_number_are_refused(tmp_path):
    (tmp_path / "notebooks").mkdir()
    for name in ("05_recurrence.ipynb", "05_segmentation.ipynb"):
        (tmp_path / "notebooks" / name).write_text("{}")
    with pytest.raises(SystemExit, match="two chapters are numbered 5"):
        chapters(tmp_path)


def test_the_tool_leaves_its_own_example_numbers_alone():
    files = {path.relative_to(ROOT).as_posix() for path in tracked(ROOT)}
    assert "notebooks/00_quick_tour.ipynb" in files
    assert not files & {"tools/renumber_chapters.py", "tests/test_renumber_chapters.py"}
