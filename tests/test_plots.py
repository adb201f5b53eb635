import matplotlib.colors
import matplotlib.pyplot as plt
import numpy as np
import pytest

from cnnrnn.plots import show_images


def test_show_images_keeps_the_images_aspect_ratio():
    wide = np.zeros((3, 28, 112))  # four times as wide as high
    fig = show_images(wide, ["a", "b", "c"], ncols=2, size=4.0)
    width, height = fig.get_size_inches()
    assert width == pytest.approx(8.0)
    assert height == pytest.approx(2 * (4.0 / 4 + 0.35))  # two rows
    plt.close(fig)


@pytest.mark.parametrize("title_height, clear", [(0.35, False), (0.8, True)])
def test_show_images_leaves_room_for_titles_of_several_lines(title_height, clear):
    fig = show_images(np.zeros((8, 32, 32, 3)), ["four\nlines\nof\ntitle"] * 8, ncols=4,
                      size=2.5, title_height=title_height)
    assert fig.get_size_inches() == pytest.approx((10.0, 2 * (2.5 + title_height)))
    fig.canvas.draw()
    upper_image, lower_title = fig.axes[0].get_window_extent(), fig.axes[4].title.get_window_extent()
    assert (lower_title.y1 < upper_image.y0) == clear  # the default's row is too short for four
    plt.close(fig)


def test_show_images_colours_each_title():
    fig = show_images(np.zeros((2, 5, 5)), ["right", "wrong"], ncols=2, colours=["black", "red"])
    titles = [ax.title for ax in fig.axes]
    assert [t.get_text() for t in titles] == ["right", "wrong"]
    assert matplotlib.colors.to_hex(titles[1].get_color()) == "#ff0000"
    plt.close(fig)


def test_show_images_wants_one_colour_per_title():
    with pytest.raises(ValueError, match="1 colours for 2 titles"):
        show_images(np.zeros((2, 5, 5)), ["a", "b"], colours=["red"])


def test_plot_learning_curves_draws_the_loss_alone_without_a_metric():
    from cnnrnn.plots import plot_learning_curves

    history = {"loss": [1.0, 0.1, 0.01], "val_loss": [1.2, 0.2, 0.03]}  # compiled without metrics
    axes = plot_learning_curves({"seq2seq": history}, metric=None, log_loss=True)
    assert len(axes) == 1
    (ax,) = axes
    assert ax.get_yscale() == "log" and ax.get_ylabel() == "loss"
    assert [line.get_label() for line in ax.get_lines()] == ["seq2seq (train)", "seq2seq (validation)"]
    plt.close(ax.figure)
