"""Scenes of real MNIST digits with a label for every pixel, for the semantic segmentation chapter.

A scene is a ``SIZE`` × ``SIZE`` grey canvas holding two or three real MNIST digits. Each digit is
cut to the bounding box of its ink and pasted where its box keeps at least ``GAP`` pixels from
every box pasted before it, so digits **never overlap or touch**: each pixel belongs to at most one
digit. A pixel's label is the class of the digit whose ink covers it (grey level at least ``INK``
of full scale), and ``BACKGROUND`` (10) everywhere else, faint anti-aliased rims included.

Which MNIST image each digit came from is kept (``Scenes.sources``, with ``Scenes.split``), so a
chapter can check that its test scenes hold only test digits: :func:`render` rebuilds the scenes
from the images and the recorded positions, pixel for pixel.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SIZE = 48  # pixels, square
BACKGROUND = 10  # the label of a pixel no digit's ink covers; digits keep their own class 0-9
N_CLASSES = 11  # ten digits and the background
INK = 0.5  # a digit pixel at least this bright (of 1.0) is labelled with the digit's class
GAP = 2  # pixels kept free between the bounding boxes of two digits
TRIES = 50  # random positions tried for one digit before the scene is drawn again


@dataclass
class Scenes:
    """Segmentation scenes and where their digits came from.

    ``x``: ``(n, SIZE, SIZE, 1)`` float32 grey levels in [0, 1]; ``y``: ``(n, SIZE, SIZE)`` uint8
    labels (0-9 a digit's class, ``BACKGROUND`` none); ``sources``: ``(n, most digits)`` the index
    of each pasted digit in its split's images, -1 where a scene has fewer; ``positions``: the
    matching ``(top, left, height, width)`` of each pasted box in the scene; ``split``: "train" or
    "test", the MNIST split that every digit of these scenes comes from.
    """

    x: np.ndarray
    y: np.ndarray
    sources: np.ndarray
    positions: np.ndarray
    split: str

    def __len__(self) -> int:
        return len(self.x)

    def __str__(self) -> str:
        digits = int((self.sources >= 0).sum())
        height, width = self.y.shape[1:]
        return (
            f"{len(self):,} scenes of {height} x {width} pixels holding {digits:,} MNIST {self.split} digits"
        )


def ink_box(image: np.ndarray) -> tuple[int, int, int, int]:
    """``(top, left, height, width)`` of the smallest box holding every non-zero pixel."""
    rows, cols = np.flatnonzero(image.any(axis=1)), np.flatnonzero(image.any(axis=0))
    return rows[0], cols[0], rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


def _apart(a, b, gap: int) -> bool:
    """Whether boxes ``(top, left, height, width)`` a and b are at least ``gap`` pixels apart."""
    return (
        a[0] + a[2] + gap <= b[0]
        or b[0] + b[2] + gap <= a[0]
        or a[1] + a[3] + gap <= b[1]
        or b[1] + b[3] + gap <= a[1]
    )


def place(shapes, rng, size: int = SIZE, gap: int = GAP):
    """Random ``(top, left, height, width)`` boxes of the given ``(height, width)`` shapes inside a
    ``size`` × ``size`` canvas, pairwise ``gap`` pixels apart; None when one does not fit in
    ``TRIES`` random positions (the caller draws again)."""
    boxes = []
    for height, width in shapes:
        for _ in range(TRIES):
            box = (rng.integers(size - height + 1), rng.integers(size - width + 1), height, width)
            if all(_apart(box, other, gap) for other in boxes):
                boxes.append(box)
                break
        else:
            return None
    return boxes


def render(images, labels, sources, positions, size: int = SIZE):
    """Paste digits into scenes: ``images`` (uint8, 0-255) and ``labels`` are one MNIST split,
    ``sources`` and ``positions`` say which image goes where (as in :class:`Scenes`). Returns
    ``x (n, size, size, 1)`` float32 in [0, 1] and ``y (n, size, size)`` uint8 labels."""
    n = len(sources)
    x = np.zeros((n, size, size), dtype=np.float32)
    y = np.full((n, size, size), BACKGROUND, dtype=np.uint8)
    for i in range(n):
        for source, (top, left, height, width) in zip(sources[i], positions[i], strict=True):
            if source < 0:
                continue
            r, c, _, _ = ink_box(images[source])
            digit = images[source, r : r + height, c : c + width].astype(np.float32) / 255
            x[i, top : top + height, left : left + width] = digit
            ink = y[i, top : top + height, left : left + width]  # a view: written in place
            ink[digit >= INK] = labels[source]
    return x[..., None], y


def make_scenes(
    images, labels, n: int, *, split: str, digits=(2, 3), seed: int = 0, size: int = SIZE
) -> Scenes:
    """``n`` scenes from one MNIST split (``images`` uint8 ``(m, 28, 28)``, ``labels`` ``(m,)``),
    each holding a number of digits drawn uniformly from ``digits``, none used twice in a scene.
    ``split`` names the split ("train" or "test") and is kept with the scenes."""
    if split not in ("train", "test"):
        raise ValueError(
            f"split must be 'train' or 'test' (the MNIST split the digits come from), not {split!r}"
        )
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"n must be a positive number of scenes, not {n!r}")
    if len(images) != len(labels) or np.ndim(images) != 3:
        raise ValueError(
            f"images must be (m, height, width) with one label each; got images of "
            f"shape {np.shape(images)} and {len(labels)} labels"
        )
    if min(digits) < 1 or max(digits) > len(images):
        raise ValueError(f"digits per scene must be between 1 and {len(images)}, not {digits}")
    rng = np.random.default_rng(seed)
    most = max(digits)
    sources = np.full((n, most), -1, dtype=np.int64)
    positions = np.zeros((n, most, 4), dtype=np.int64)
    boxes_of = {}  # ink box of each image used, computed once
    i = 0
    while i < n:
        chosen = rng.choice(len(images), size=rng.choice(digits), replace=False)
        for j in chosen:
            if j not in boxes_of:
                boxes_of[j] = ink_box(images[j])
        boxes = place([boxes_of[j][2:] for j in chosen], rng, size)
        if boxes is None:
            continue  # no room for these digits here: draw the scene again
        sources[i, : len(chosen)] = chosen
        positions[i, : len(chosen)] = boxes
        i += 1
    x, y = render(images, labels, sources, positions, size)
    return Scenes(x, y, sources, positions, split)
