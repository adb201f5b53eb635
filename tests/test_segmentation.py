"""cnnrnn.segmentation: scenes of digits that never overlap, labelled pixel by pixel, rebuildable."""

import numpy as np
import pytest

from cnnrnn.segmentation import BACKGROUND, GAP, INK, Scenes, ink_box, make_scenes, place, render


def _digits(n=12, seed=0):
    """Small fake 'MNIST' digits: a bright bar of random size inside a 28 x 28 frame, with a faint
    rim (below INK) around it, and labels 0-9."""
    rng = np.random.default_rng(seed)
    images = np.zeros((n, 28, 28), dtype=np.uint8)
    for image in images:
        top, left = rng.integers(2, 8, 2)
        height, width = rng.integers(6, 18, 2)
        image[top - 1:top + height + 1, left - 1:left + width + 1] = 60  # faint rim
        image[top:top + height, left:left + width] = 255
    return images, np.arange(n) % 10


def test_ink_box_is_the_smallest_box_around_the_non_zero_pixels():
    image = np.zeros((28, 28), dtype=np.uint8)
    image[5, 7] = image[9, 3] = 1
    assert ink_box(image) == (5, 3, 5, 5)


def test_placed_boxes_are_inside_and_keep_the_gap():
    rng = np.random.default_rng(1)
    for _ in range(200):
        boxes = place([(20, 12), (18, 18), (9, 20)], rng, size=48, gap=GAP)
        if boxes is None:
            continue
        for i, (top, left, height, width) in enumerate(boxes):
            assert 0 <= top and top + height <= 48 and 0 <= left and left + width <= 48
            for other in boxes[i + 1:]:
                rows = max(other[0] - (top + height), top - (other[0] + other[2]))
                cols = max(other[1] - (left + width), left - (other[1] + other[3]))
                assert max(rows, cols) >= GAP


def test_place_gives_up_when_the_boxes_cannot_fit():
    assert place([(30, 30), (30, 30)], np.random.default_rng(0), size=48) is None


def test_scenes_are_labelled_by_ink_and_digits_never_overlap():
    images, labels = _digits()
    scenes = make_scenes(images, labels, 30, split="train", digits=(2, 3), seed=3)
    assert scenes.x.shape == (30, 48, 48, 1) and scenes.x.dtype == np.float32
    assert scenes.y.shape == (30, 48, 48) and scenes.y.dtype == np.uint8
    assert set(np.unique(scenes.y)) <= set(range(11))
    inked = scenes.x[..., 0] >= INK
    assert np.array_equal(inked, scenes.y != BACKGROUND)  # faint rims stay background
    for i in range(len(scenes)):
        used = scenes.sources[i][scenes.sources[i] >= 0]
        assert 2 <= len(used) <= 3 and len(set(used)) == len(used)
        boxes = np.zeros((48, 48), dtype=int)
        for source, (top, left, height, width) in zip(scenes.sources[i], scenes.positions[i], strict=True):
            if source >= 0:
                boxes[top:top + height, left:left + width] += 1
                box = scenes.y[i, top:top + height, left:left + width]
                assert set(np.unique(box)) <= {labels[source], BACKGROUND}
        assert boxes.max() == 1  # no pixel in two digits' boxes


def test_render_rebuilds_the_scenes_from_their_split_only():
    images, labels = _digits()
    scenes = make_scenes(images, labels, 10, split="test", seed=4)
    x, y = render(images, labels, scenes.sources, scenes.positions)
    assert np.array_equal(x, scenes.x) and np.array_equal(y, scenes.y)
    other, _ = _digits(seed=9)  # the same indices into other images give other scenes
    assert not np.array_equal(render(other, labels, scenes.sources, scenes.positions)[0], scenes.x)


def test_same_seed_same_scenes_and_the_description_says_what_they_hold():
    images, labels = _digits()
    a = make_scenes(images, labels, 5, split="train", seed=7, size=40)
    b = make_scenes(images, labels, 5, split="train", seed=7, size=40)
    assert np.array_equal(a.x, b.x) and np.array_equal(a.sources, b.sources)
    assert isinstance(a, Scenes) and len(a) == 5
    assert str(a).startswith("5 scenes of 40 x 40 pixels holding") and str(a).endswith("train digits")


@pytest.mark.parametrize("kwargs, message", [
    ({"split": "valid"}, "split must be 'train' or 'test'"),
    ({"split": "train", "n": 0}, "positive number of scenes"),
    ({"split": "train", "digits": (0, 2)}, "digits per scene"),
])
def test_make_scenes_says_what_was_wrong(kwargs, message):
    images, labels = _digits()
    kwargs = {"n": 3, **kwargs}
    with pytest.raises(ValueError, match=message):
        make_scenes(images, labels, **kwargs)


def test_make_scenes_refuses_images_without_one_label_each():
    images, labels = _digits()
    with pytest.raises(ValueError, match="one label each"):
        make_scenes(images, labels[:-1], 3, split="train")
