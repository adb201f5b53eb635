import matplotlib.pyplot as plt
import numpy as np
import pytest

from cnnrnn.video import render, show_clips


def _digits(n=3, side=28, seed=0):
    return np.random.default_rng(seed).integers(0, 256, size=(n, side, side)).astype("uint8")


def test_a_digit_at_its_own_size_in_a_frame_of_its_size_is_the_digit():
    digits = _digits()
    path = np.tile([14.0, 14.0, 1.0], (3, 2, 1))  # centred, scale 1, two frames
    clips = render(digits, path, size=28)
    assert clips.shape == (3, 2, 28, 28, 1) and clips.dtype == np.float32
    for t in range(2):
        np.testing.assert_allclose(clips[:, t, ..., 0], digits / 255, atol=1e-6)


def test_moving_the_centre_moves_the_digit_by_as_many_pixels():
    digit = np.zeros((1, 28, 28), "uint8")
    digit[0, 10:14, 8:12] = 255
    # frame 0 centred; frame 1: 3 px right (x) and 2 px down (y)
    path = np.array([[[16.0, 16.0, 1.0], [19.0, 18.0, 1.0]]])
    clip = render(digit, path, size=32)[0, ..., 0]
    np.testing.assert_allclose(clip[1], np.roll(clip[0], (2, 3), axis=(0, 1)), atol=1e-6)
    assert clip[0].max() == pytest.approx(1.0)


def test_a_shrunk_digit_keeps_its_brightness_and_shrinks():
    white = np.full((1, 28, 28), 255, "uint8")
    clip = render(white, np.array([[[16.0, 16.0, 0.5]]]), size=32)[0, 0, ..., 0]
    np.testing.assert_allclose(clip[12:20, 12:20], 1.0, atol=1e-5)  # strokes averaged, not lost
    assert (clip > 0.01).sum(axis=0).max() in (14, 15, 16)  # about 28 x 0.5 pixels across
    assert clip.min() >= 0.0 and clip.max() <= 1.0


def test_drawing_in_chunks_changes_nothing():
    digits = _digits(n=7)
    paths = np.random.default_rng(1).uniform([8, 8, 0.4], [24, 24, 1.1], size=(7, 4, 3))
    np.testing.assert_array_equal(render(digits, paths, 32, chunk=3), render(digits, paths, 32))


@pytest.mark.parametrize("digits, paths, size, message", [
    (np.zeros((2, 28, 20)), np.zeros((2, 5, 3)), 32, "square images"),
    (np.zeros((2, 28, 28)), np.zeros((3, 5, 3)), 32, r"paths must be \(n, frames, 3\) with n = 2"),
    (np.zeros((2, 28, 28)), np.zeros((2, 5, 2)), 32, "centre x, centre y, scale"),
    (np.zeros((2, 28, 28)), np.zeros((2, 5, 3)), 32.0, "positive int"),
])
def test_render_says_what_is_wrong_with_its_input(digits, paths, size, message):
    with pytest.raises(ValueError, match=message):
        render(digits, paths, size)


def test_show_clips_draws_a_row_of_labelled_frames_per_clip():
    clips = np.zeros((2, 3, 8, 8, 1))
    fig = show_clips(clips, ["a", "b"], [["x", "y", "z"], ["u", "v", "w"]], title="clips")
    labels = [[label.get_text() for label in ax.get_xticklabels()] for ax in fig.axes]
    assert labels == [["x", "y", "z"], ["u", "v", "w"]]
    assert [ax.get_title() for ax in fig.axes] == ["a", "b"]
    assert fig.get_suptitle() == "clips"
    plt.close(fig)
    fig = show_clips(clips[:1], ["a"])
    assert [label.get_text() for label in fig.axes[0].get_xticklabels()] == ["t=0", "t=1", "t=2"]
    plt.close(fig)


def test_show_clips_shows_every_frame_in_its_place_with_a_line_around_each():
    clips = np.random.default_rng(0).uniform(size=(1, 3, 8, 8, 1))
    fig = show_clips(clips, ["a"])
    strip = fig.axes[0].get_images()[0].get_array()
    assert strip.shape == (8 + 2, 3 * 8 + 4)  # one pixel around each frame
    for t in range(3):
        np.testing.assert_array_equal(strip[1:-1, 1 + 9 * t : 9 + 9 * t], clips[0, t, ..., 0])
    assert strip.mask[:, [0, 9, 18, 27]].all() and strip.mask[[0, -1]].all()
    assert not strip.mask[1:-1, 1:9].any()
    plt.close(fig)


def test_show_clips_wants_one_title_per_clip():
    with pytest.raises(ValueError, match="2 clips but 1 titles"):
        show_clips(np.zeros((2, 3, 8, 8, 1)), ["a"])
