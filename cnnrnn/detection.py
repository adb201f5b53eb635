"""Canvases of real MNIST digits of several sizes, with each digit's box and class, for the object
detection chapter.

A canvas is a ``SIZE`` × ``SIZE`` grey image holding one to five real MNIST digits. Each digit is
cut to the bounding box of its ink (as in :mod:`cnnrnn.segmentation`), resized by a random factor
drawn from ``SCALES`` and pasted where its box keeps at least ``GAP`` pixels from every box pasted
before it (:func:`cnnrnn.segmentation.place`): boxes **never overlap**, so every digit can be found
whole. A digit's box is the ``(top, left, height, width)`` of the resized ink box where it was
pasted, and its class is its MNIST label.

Which MNIST image each digit came from is kept (``Canvases.sources``, with ``Canvases.split``), so
a chapter can check that its test canvases hold only test digits: :func:`render` rebuilds the
canvases from the images and the recorded boxes, pixel for pixel.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from cnnrnn.segmentation import ink_box, place

SIZE = 64  # pixels, square
GAP = 2  # pixels kept free between the boxes of two digits
DIGITS = (1, 2, 3, 4, 5)  # how many digits a canvas may hold, drawn uniformly
SCALES = (0.6, 1.2)  # a digit's ink box (about 20 pixels high in MNIST) is resized by a factor in this range


@dataclass
class Canvases:
    """Detection canvases, their boxes and classes, and where their digits came from.

    ``x``: ``(n, size, size, 1)`` float32 grey levels in [0, 1]; ``boxes``: ``(n, most digits, 4)``
    int64 ``(top, left, height, width)`` of each digit, zeros where a canvas has fewer;
    ``classes``: ``(n, most digits)`` each digit's class 0-9, -1 where a canvas has fewer;
    ``sources``: the index of each digit in its split's images, -1 where a canvas has fewer;
    ``split``: "train" or "test", the MNIST split that every digit of these canvases comes from.
    """

    x: np.ndarray
    boxes: np.ndarray
    classes: np.ndarray
    sources: np.ndarray
    split: str

    def __len__(self) -> int:
        return len(self.x)

    def __str__(self) -> str:
        digits = int((self.sources >= 0).sum())
        size = self.x.shape[1]
        return (
            f"{len(self):,} canvases of {size} x {size} pixels holding {digits:,} MNIST {self.split} digits"
        )

    def objects(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Canvas ``i``'s boxes ``(k, 4)`` (top, left, height, width) and classes ``(k,)``."""
        used = self.sources[i] >= 0
        return self.boxes[i][used], self.classes[i][used]


def resized_digit(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """The ink box of ``image`` (uint8, 0-255) resized to ``height`` × ``width``, float32 in [0, 1]."""
    top, left, h, w = ink_box(image)
    ink = image[top : top + h, left : left + w].astype(np.float32) / 255
    digit = ndimage.zoom(ink, (height / h, width / w), order=1)
    return np.clip(digit, 0, 1)


def render(images, sources, boxes, size: int = SIZE) -> np.ndarray:
    """Paste digits into canvases: ``images`` (uint8, 0-255) are one MNIST split, ``sources`` and
    ``boxes`` say which image goes where and at what size (as in :class:`Canvases`). Returns
    ``(n, size, size, 1)`` float32 in [0, 1]."""
    x = np.zeros((len(sources), size, size), dtype=np.float32)
    for i in range(len(sources)):
        for source, (top, left, height, width) in zip(sources[i], boxes[i], strict=True):
            if source >= 0:
                x[i, top : top + height, left : left + width] = resized_digit(images[source], height, width)
    return x[..., None]


def _check(images, labels, n, split, digits, scales, size, gap):
    if split not in ("train", "test"):
        raise ValueError(
            f"split must be 'train' or 'test' (the MNIST split the digits come from), not {split!r}"
        )
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"n must be a positive number of canvases, not {n!r}")
    if np.ndim(images) != 3 or len(images) != len(labels):
        raise ValueError(
            f"images must be (m, height, width) with one label each; got images of "
            f"shape {np.shape(images)} and {len(labels)} labels"
        )
    if len(digits) == 0 or min(digits) < 1 or max(digits) > len(images):
        raise ValueError(f"digits per canvas must be between 1 and {len(images)}, not {digits}")
    if len(scales) != 2 or not 0 < scales[0] <= scales[1]:
        raise ValueError(
            f"scales must be (smallest, largest) resizing factors with 0 < smallest <= largest, not {scales}"
        )
    largest = int(np.ceil(scales[1] * max(np.shape(images)[1:])))
    if isinstance(size, bool) or not isinstance(size, int | np.integer) or size < largest:
        raise ValueError(
            f"size must be an integer number of pixels that holds the largest "
            f"resized digit ({largest} pixels at scale {scales[1]}), not {size!r}"
        )
    if isinstance(gap, bool) or not isinstance(gap, int | np.integer) or gap < 0:
        raise ValueError(f"gap must be a number of pixels, 0 or more, not {gap!r}")


def make_canvases(
    images,
    labels,
    n: int,
    *,
    split: str,
    digits=DIGITS,
    scales=SCALES,
    size: int = SIZE,
    gap: int = GAP,
    seed: int = 0,
) -> Canvases:
    """``n`` canvases from one MNIST split (``images`` uint8 ``(m, 28, 28)``, ``labels`` ``(m,)``),
    each holding a number of digits drawn uniformly from ``digits``, none used twice in a canvas,
    each resized by a factor drawn uniformly from ``scales``, their boxes ``gap`` pixels apart.
    ``split`` names the split ("train" or "test") and is kept with the canvases."""
    _check(images, labels, n, split, digits, scales, size, gap)
    rng = np.random.default_rng(seed)
    most = max(digits)
    sources = np.full((n, most), -1, dtype=np.int64)
    classes = np.full((n, most), -1, dtype=np.int64)
    boxes = np.zeros((n, most, 4), dtype=np.int64)
    ink_sizes = {}  # (height, width) of each image's ink box, computed once
    i = 0
    while i < n:
        chosen = rng.choice(len(images), size=rng.choice(digits), replace=False)
        shapes = []
        for j in chosen:
            if j not in ink_sizes:
                ink_sizes[j] = ink_box(images[j])[2:]
            scale = rng.uniform(*scales)
            shapes.append(tuple(max(1, round(scale * s)) for s in ink_sizes[j]))
        placed = place(shapes, rng, size, gap)
        if placed is None:
            continue  # no room for these digits here: draw the canvas again
        sources[i, : len(chosen)] = chosen
        classes[i, : len(chosen)] = np.asarray(labels)[chosen]
        boxes[i, : len(chosen)] = placed
        i += 1
    return Canvases(render(images, sources, boxes, size), boxes, classes, sources, split)
