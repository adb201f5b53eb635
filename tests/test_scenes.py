"""cnnrnn.scenes: the captioned scenes of chapter 18 follow their grammar's rules."""

import numpy as np
import pytest

from cnnrnn.scenes import (
    COLOURS,
    IMAGE_SIZE,
    MIN_GAP,
    RELATIONS,
    Thing,
    attributes_of,
    describe,
    make_scenes,
    parse,
    relation,
    render,
    sample_scene,
    thing_mask,
    well_separated,
)

LARGE = Thing("large", "red", "circle", x=8.0, y=16.0, radius=6.0)
SMALL = Thing("small", "blue", "square", x=24.0, y=16.0, radius=3.5)


def test_a_caption_names_the_large_object_first_and_where_it_is():
    assert describe((LARGE, SMALL)) == "a large red circle left of a small blue square".split()
    assert describe((SMALL,)) == "a small blue square".split()


@pytest.mark.parametrize("scene, message", [((), "1 or 2 objects, not 0"),
                                            ((LARGE, SMALL, SMALL), "not 3"),
                                            ((SMALL, LARGE), "large object first")])
def test_describe_refuses_scenes_outside_the_rules(scene, message):
    with pytest.raises(ValueError, match=message):
        describe(scene)


def test_relation_reads_the_axis_of_the_larger_separation_with_y_downwards():
    above = Thing("small", "green", "triangle", x=9.0, y=2.0, radius=3.0)
    assert relation(LARGE, SMALL) == "left of" and relation(SMALL, LARGE) == "right of"
    assert relation(above, LARGE) == "above" and relation(LARGE, above) == "below"


def test_well_separated_needs_a_gap_and_a_dominant_axis():
    assert well_separated(LARGE, SMALL)  # 16 apart along x, 0 along y
    touching = Thing("small", "blue", "square", x=8.0 + 6 + 3.5 + MIN_GAP - 0.1, y=16.0,
                     radius=3.5)
    assert not well_separated(LARGE, touching)
    diagonal = Thing("small", "blue", "square", x=24.0, y=26.0, radius=3.5)  # 16 by 10
    assert not well_separated(LARGE, diagonal)


def test_every_sampled_caption_parses_back_to_its_scene():
    rng = np.random.default_rng(0)
    scenes = [sample_scene(rng) for _ in range(2_000)]
    assert {len(s) for s in scenes} == {1, 2}
    for scene in scenes:
        assert parse(describe(scene)) == attributes_of(scene)
        if len(scene) == 2:
            assert well_separated(*scene) and [t.size for t in scene] == ["large", "small"]
    assert {relation(*s) for s in scenes if len(s) == 2} == set(RELATIONS)


@pytest.mark.parametrize("words", ["", "a large red", "a huge red circle", "a large red circle of",
                                   "a large red circle left a small blue square",
                                   "a large red circle above a small blue square a"])
def test_parse_returns_none_outside_the_grammar(words):
    assert parse(words.split()) is None


def test_render_paints_each_object_in_its_colour_on_dark_noise():
    image = render((LARGE, SMALL), np.random.default_rng(0))
    assert image.shape == (IMAGE_SIZE, IMAGE_SIZE, 3) and image.dtype == np.float32
    assert 0 <= image.min() and image.max() <= 1
    inside, background = thing_mask(LARGE), ~(thing_mask(LARGE) | thing_mask(SMALL))
    np.testing.assert_allclose(image[inside].mean(axis=0), COLOURS["red"], atol=0.2)
    assert np.ptp(image[inside], axis=0).max() < 1e-6  # one shade per object
    assert image[background].mean() < 0.15


def test_the_shapes_cover_similar_areas():
    areas = [thing_mask(Thing("large", "red", shape, 16.0, 16.0, 6.0)).sum()
             for shape in ("circle", "square", "triangle")]
    assert max(areas) < 1.5 * min(areas)


def test_make_scenes_is_reproducible_from_its_seed():
    images, scenes, captions = make_scenes(20, seed=1)
    again = make_scenes(20, seed=1)
    np.testing.assert_array_equal(images, again[0])
    assert scenes == again[1] and captions == again[2]
    assert images.shape == (20, IMAGE_SIZE, IMAGE_SIZE, 3)
    assert captions == [describe(s) for s in scenes]
    assert not np.array_equal(images, make_scenes(20, seed=2)[0])


@pytest.mark.parametrize("n", [0, -3, 2.5, "10", True])
def test_make_scenes_wants_a_positive_whole_number(n):
    with pytest.raises(ValueError, match="positive number of scenes"):
        make_scenes(n, seed=0)
