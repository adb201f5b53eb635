"""Scenes of coloured shapes with one right caption each, for chapter 18 (image captioning).

A scene is a 32 × 32 colour image on a dark, noisy background holding one object, or a large
and a small one; its caption is a sentence of a small grammar::

    caption  → object  |  object relation object
    object   → "a" size colour shape
    size     → small | large
    colour   → red | green | blue | yellow
    shape    → circle | square | triangle
    relation → "left of" | "right of" | "above" | "below"

Three rules make the caption the *one* right answer for its image: a two-object scene holds one
large and one small object and names the large one first; the two are at least ``MIN_GAP``
pixels apart along one axis and at least twice as far apart along it as along the other, so the
relation is never in doubt; and the size ranges (``RADII``) and the colours do not meet.

A scene is sampled as a tuple of :class:`Thing` (:func:`sample_scene`); :func:`describe` turns it
into its caption (a list of words), :func:`render` draws it, and :func:`make_scenes` does all
three for ``n`` scenes from one seed. :func:`parse` reads the grammar backwards, from a caption to
the attributes it states, and :func:`attributes_of` gives those a scene's caption must state.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

IMAGE_SIZE = 32  # pixels, square
COLOURS = {  # RGB in [0, 1], far apart so that no colour is ambiguous
    "red": (0.9, 0.15, 0.1),
    "green": (0.1, 0.75, 0.2),
    "blue": (0.15, 0.35, 1.0),
    "yellow": (0.95, 0.85, 0.1),
}
SHAPES = ("circle", "square", "triangle")
RADII = {"small": (3.0, 4.0), "large": (5.5, 7.0)}  # half-widths, pixels
RELATIONS = ("left of", "right of", "above", "below")
P_ONE_OBJECT = 0.25  # the other scenes hold two objects
MIN_GAP = 2.0  # pixels between two objects, at least


@dataclass(frozen=True)
class Thing:
    """One object of a scene."""

    size: str  # "small" or "large"
    colour: str
    shape: str
    x: float  # centre, pixels from the left edge
    y: float  # centre, pixels from the top edge
    radius: float  # half-width, pixels


def random_thing(rng, size):
    radius = rng.uniform(*RADII[size])
    x, y = rng.uniform(radius + 1, IMAGE_SIZE - radius - 1, 2)  # inside
    colour = tuple(COLOURS)[rng.integers(len(COLOURS))]
    return Thing(size, colour, SHAPES[rng.integers(len(SHAPES))], x, y, radius)


def well_separated(a, b):
    """At least MIN_GAP apart along one axis, and at least twice as far apart along it as along
    the other: "left of" cannot pass for "above"."""
    near, far = sorted([abs(a.x - b.x), abs(a.y - b.y)])
    return far - a.radius - b.radius >= MIN_GAP and far >= 2 * near


def sample_scene(rng):
    """One object of either size, or a large one and a small one (large first)."""
    if rng.random() < P_ONE_OBJECT:
        return (random_thing(rng, ("small", "large")[rng.integers(2)]),)
    while True:  # redraw until the two are clearly apart
        large, small = random_thing(rng, "large"), random_thing(rng, "small")
        if well_separated(large, small):
            return large, small


def relation(a, b):
    """Where a is relative to b, along the axis of the larger separation."""
    dx, dy = a.x - b.x, a.y - b.y
    if abs(dx) > abs(dy):
        return "left of" if dx < 0 else "right of"
    return "above" if dy < 0 else "below"  # y grows downwards in an image


def describe(scene):
    """The caption of a scene, as a list of words."""
    if len(scene) not in (1, 2):
        raise ValueError(f"a scene holds 1 or 2 objects, not {len(scene)}")
    if len(scene) == 2 and [t.size for t in scene] != ["large", "small"]:
        raise ValueError("a two-object scene lists its large object first")
    words = ["a", scene[0].size, scene[0].colour, scene[0].shape]
    if len(scene) == 2:
        second = scene[1]
        words += relation(scene[0], second).split()
        words += ["a", second.size, second.colour, second.shape]
    return words


_ROWS, _COLUMNS = np.mgrid[0:IMAGE_SIZE, 0:IMAGE_SIZE] + 0.5  # pixel centres


def thing_mask(thing):
    """The pixels the object covers, as a boolean (IMAGE_SIZE, IMAGE_SIZE) array."""
    dx, dy, r = _COLUMNS - thing.x, _ROWS - thing.y, thing.radius
    if thing.shape == "circle":
        return dx**2 + dy**2 <= r**2
    if thing.shape == "square":  # a little smaller: a similar area
        return (np.abs(dx) <= 0.9 * r) & (np.abs(dy) <= 0.9 * r)
    depth = (dy + r) / (2 * r)  # triangle: 0 at the apex, 1 at the base
    return (depth >= 0) & (depth <= 1) & (np.abs(dx) <= 1.1 * r * depth)


def render(scene, rng):
    """The scene's image, (IMAGE_SIZE, IMAGE_SIZE, 3) float32 in [0, 1]: dark noise, and each
    object in its colour, slightly jittered."""
    image = rng.normal(0.08, 0.03, (IMAGE_SIZE, IMAGE_SIZE, 3))  # dark noise
    for thing in scene:
        shade = np.array(COLOURS[thing.colour]) + rng.normal(0, 0.05, 3)
        image[thing_mask(thing)] = shade
    return np.clip(image, 0, 1).astype("float32")


def make_scenes(n, seed):
    """n random scenes: images (n, 32, 32, 3), scenes and their captions."""
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"n must be a positive number of scenes, not {n!r}")
    rng = np.random.default_rng(seed)
    scenes = [sample_scene(rng) for _ in range(n)]
    images = np.stack([render(scene, rng) for scene in scenes])
    return images, scenes, [describe(scene) for scene in scenes]


def read_object(words):
    """(size, colour, shape) from "a <size> <colour> <shape>", else None."""
    if (
        len(words) == 4
        and words[0] == "a"
        and words[1] in RADII
        and words[2] in COLOURS
        and words[3] in SHAPES
    ):
        return tuple(words[1:])
    return None


def parse(words):
    """What a caption states, as a dict; None if it is not in the grammar."""
    words = list(words)
    first = read_object(words[:4])
    if first is None:
        return None
    said = dict(zip(["size 1", "colour 1", "shape 1"], first, strict=True))
    if len(words) == 4:
        return {"objects": 1, **said}
    for where in RELATIONS:
        n = len(where.split())
        second = read_object(words[4 + n :])
        if words[4 : 4 + n] == where.split() and second is not None:
            said |= dict(zip(["size 2", "colour 2", "shape 2"], second, strict=True))
            return {"objects": 2, **said, "relation": where}
    return None


def attributes_of(scene):
    """What the caption of a scene must state, in :func:`parse`'s format."""
    said = {"objects": len(scene)}
    for k, thing in enumerate(scene, start=1):
        said |= {f"size {k}": thing.size, f"colour {k}": thing.colour}
        said[f"shape {k}"] = thing.shape
    if len(scene) == 2:
        said["relation"] = relation(*scene)
    return said
