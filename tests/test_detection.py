"""cnnrnn.detection: canvases of resized digits that never overlap, with boxes and classes, rebuildable."""

import numpy as np
import pytest

from cnnrnn.detection import Canvases, make_canvases, render, resized_digit


def _digits(n=12, seed=0):
    """Small fake 'MNIST' digits: a bar of random size and random grey levels inside a 28 x 28
    frame, labels 0-9."""
    rng = np.random.default_rng(seed)
    images = np.zeros((n, 28, 28), dtype=np.uint8)
    for image in images:
        top, left = rng.integers(2, 8, 2)
        height, width = rng.integers(6, 18, 2)
        image[top:top + height, left:left + width] = rng.integers(128, 256, (height, width))
    return images, np.arange(n) % 10


def test_resized_digit_has_the_asked_shape_and_stays_in_range():
    images, _ = _digits()
    for height, width in ((1, 1), (5, 17), (30, 9), (33, 33)):
        digit = resized_digit(images[0], height, width)
        assert digit.shape == (height, width) and digit.dtype == np.float32
        assert 0 <= digit.min() and digit.max() <= 1


def test_boxes_are_inside_apart_and_hold_the_digits_ink():
    images, labels = _digits()
    canvases = make_canvases(images, labels, 40, split="train", digits=(1, 2, 3, 4, 5),
                             scales=(0.5, 1.5), size=64, seed=3)
    assert canvases.x.shape == (40, 64, 64, 1) and canvases.x.dtype == np.float32
    for i in range(len(canvases)):
        boxes, classes = canvases.objects(i)
        assert 1 <= len(boxes) <= 5 and set(classes) <= set(range(10))
        inside = np.zeros((64, 64), dtype=int)
        for top, left, height, width in boxes:
            assert 0 <= top and top + height <= 64 and 0 <= left and left + width <= 64
            inside[top:top + height, left:left + width] += 1
            assert canvases.x[i, top:top + height, left:left + width].max() > 0.5
        assert inside.max() == 1  # boxes never overlap
        assert canvases.x[i, ..., 0][inside == 0].max() == 0  # no ink outside the boxes
        used = canvases.sources[i][canvases.sources[i] >= 0]
        assert np.array_equal(labels[used], classes) and len(set(used)) == len(used)


def test_sizes_vary_within_the_scales():
    images, labels = _digits()
    canvases = make_canvases(images, labels, 60, split="train", scales=(0.5, 1.5), seed=1)
    heights = canvases.boxes[..., 2][canvases.sources >= 0]
    assert heights.min() < 10 and heights.max() > 15  # ink boxes are 6-17 pixels high


def test_render_rebuilds_the_canvases_from_their_split_only():
    images, labels = _digits()
    canvases = make_canvases(images, labels, 10, split="test", seed=4)
    assert np.array_equal(render(images, canvases.sources, canvases.boxes), canvases.x)
    other, _ = _digits(seed=9)  # the same indices into other images give other canvases
    assert not np.array_equal(render(other, canvases.sources, canvases.boxes), canvases.x)


def test_same_seed_same_canvases_and_the_description_says_what_they_hold():
    images, labels = _digits()
    a = make_canvases(images, labels, 5, split="train", seed=7, size=48)
    b = make_canvases(images, labels, 5, split="train", seed=7, size=48)
    assert np.array_equal(a.x, b.x) and np.array_equal(a.boxes, b.boxes)
    assert isinstance(a, Canvases) and len(a) == 5
    assert str(a).startswith("5 canvases of 48 x 48 pixels holding") and "train" in str(a)


@pytest.mark.parametrize("change, message", [
    ({"split": "val"}, "split must be 'train' or 'test'"),
    ({"n": 0}, "n must be a positive number"),
    ({"n": 2.0}, "n must be a positive number"),
    ({"n": True}, "n must be a positive number"),
    ({"digits": (0, 2)}, "digits per canvas must be between 1 and 12"),
    ({"digits": (1, 13)}, "digits per canvas must be between 1 and 12"),
    ({"scales": (1.5, 0.5)}, "scales must be"),
    ({"scales": (0.0, 1.0)}, "scales must be"),
    ({"size": 30}, "holds the largest resized digit"),
    ({"gap": -1}, "gap must be"),
])
def test_bad_arguments_say_what_is_wrong(change, message):
    images, labels = _digits()
    arguments = {"n": 3, "split": "train", **change}
    with pytest.raises(ValueError, match=message):
        make_canvases(images, labels, **arguments)


def test_images_and_labels_must_match():
    images, labels = _digits()
    with pytest.raises(ValueError, match="one label each"):
        make_canvases(images, labels[:5], 3, split="train")
    with pytest.raises(ValueError, match="one label each"):
        make_canvases(images[0], labels, 3, split="train")
