"""Segmentation parts on synthetic arrays: crop geometry, trust, colour models, the guided filter."""
from __future__ import annotations

import numpy as np
import pytest


def test_body_crop_geometry():
    from stylecut.segmentation.pose import CROP_SIDE, Body

    upright = Body.aligned(np.array([100.0, 200.0]), np.array([100.0, 100.0]))  # head straight above the hips
    assert upright.side == pytest.approx(250.0) and upright.angle == pytest.approx(0.0)
    m = upright.matrix()
    assert m @ [CROP_SIDE / 2, CROP_SIDE / 2, 1] == pytest.approx([100.0, 200.0])  # crop centre on the hips
    lying = Body.aligned(np.array([100.0, 200.0]), np.array([200.0, 200.0]))  # head to the right
    up_in_image = lying.matrix()[:, :2] @ [0.0, -1.0]  # the crop's "up" direction, in the photo
    assert up_in_image / np.linalg.norm(up_in_image) == pytest.approx([1.0, 0.0], abs=1e-6)
    assert upright.same_person(Body(105, 198, 260, 0.0)) and not upright.same_person(Body(160, 200, 250, 0.0))


def test_trust_follows_the_persons_size():
    from stylecut.segmentation.pose import fuse, trust

    assert trust(1.0) == pytest.approx(0.3) and trust(2.0) == pytest.approx(0.6)
    assert trust(100.0) == 0.8 and trust(0.3) == 0.0  # capped; close-ups left to the selfie model
    prob = np.random.default_rng(0).random((20, 30)).astype(np.float32)
    assert fuse(prob, []) is prob


def test_colour_models_decide_the_uncertain_band():
    from stylecut.segmentation.color_models import carve
    from stylecut.segmentation.pose import PersonLayer

    rgb = np.zeros((60, 80, 3), np.uint8)
    rgb[:] = (70, 70, 75)  # road
    rgb[:, 40:] = (210, 180, 150)  # person, with a gap of road between the legs
    rgb[30:, 55:60] = (70, 70, 75)
    prob = np.where(np.arange(80) >= 40, 0.95, 0.05).astype(np.float32)[None].repeat(60, 0)
    prob[:, 35:65] = 0.5  # the networks are unsure around the edge and across the gap
    layer = PersonLayer(prob, np.ones(prob.shape, bool), 2.0, (0, 0, 80, 60))
    out = carve(rgb, prob, [layer])
    assert (out[30:, 55:60] < 0.3).all() and (out[:30, 55:60] > 0.7).all()  # gap out, body in
    assert (out[:, 35:40] < 0.3).all() and (out[:, 40:55] > 0.7).all()
    band = (prob > 0.15) & (prob < 0.85)
    assert np.array_equal(out[~band], prob[~band])  # sure pixels are kept
    assert np.array_equal(carve(rgb, prob, []), prob)  # no person crop: unchanged


def test_colour_guided_filter_matches_opencv():
    import cv2

    from stylecut.ops.filters import color_guided_filter

    rng = np.random.default_rng(1)
    guide = cv2.GaussianBlur(rng.random((90, 120, 3)).astype(np.float32), (5, 5), 0)
    src = (rng.random((90, 120)) > 0.5).astype(np.float32)
    ref = cv2.ximgproc.guidedFilter(guide, src, 4, 1e-2)
    assert np.abs(color_guided_filter(guide, src, 4, 1e-2) - ref).max() < 1e-3  # the same filter
    half = color_guided_filter(guide, src, 4, 1e-2, step=2)  # fitted at half size: close, not equal
    assert half.shape == src.shape and 0 < np.abs(half - ref).mean() < 0.05


@pytest.mark.parametrize("shape", [(480, 854), (300, 400)])  # step 2 (long side > 512) and step 1
def test_edge_refinement_filters_only_around_the_mask_and_gives_the_same_alpha(shape):
    """refine.guided filters a crop around the mask; the whole photo filtered gives the same alpha."""
    import cv2

    from stylecut.ops.filters import color_guided_filter
    from stylecut.segmentation.refine import CONTRAST, SHARPEN, _radius, guided

    h, w = shape
    rng = np.random.default_rng(2)
    rgb = (cv2.GaussianBlur(rng.random((h, w, 3)).astype(np.float32), (7, 7), 0) * 255).astype(np.uint8)
    prob = np.zeros((h, w), np.float32)
    cv2.ellipse(prob, (w // 3, h // 2), (w // 8, h // 5), 20, 0, 360, 1.0, -1)
    prob = cv2.GaussianBlur(prob, (0, 0), 3)  # soft, as the person model's
    sharp = np.clip((prob - 0.5) * CONTRAST + 0.5, 0, 1)
    whole = color_guided_filter(rgb.astype(np.float32) / 255, sharp, _radius(rgb.shape, 1 / 150), 1e-2,
                                step=2 if max(h, w) > 512 else 1)
    expected = np.clip((whole - 0.5) * SHARPEN + 0.5, 0, 1)
    alpha = guided(rgb, prob)
    assert alpha.dtype == np.float32 and alpha.min() >= 0 and alpha.max() <= 1
    assert np.abs(alpha - expected).max() < 1e-5 and 0.02 < (alpha > 0.5).mean() < 0.2
    assert not guided(rgb, np.zeros((h, w), np.float32)).any()


@pytest.mark.parametrize("half_width", [1, 3, 6])
def test_edge_refinement_keeps_a_small_or_thin_object(half_width):
    """A selected knife or a distant book (a few px across) is not averaged away by the filter's window."""
    import cv2

    from stylecut.segmentation.refine import guided

    hard = np.zeros((480, 640), np.float32)
    cv2.rectangle(hard, (200, 240 - half_width), (320, 240 + half_width), 1.0, -1)  # a thin bar
    cv2.circle(hard, (500, 100), half_width + 1, 1.0, -1)  # and a small blob
    texture = np.random.default_rng(0).normal(0, 25, (480, 640, 3))  # a photo's grain, not flat colour
    rgb = np.clip(90 + 60 * hard[..., None] + texture, 0, 255).astype(np.uint8)
    kept = guided(rgb, hard) > 0.5
    assert (kept & (hard > 0)).sum() >= 0.9 * hard.sum() and not (kept & (hard == 0)).any()


def _two_squares() -> np.ndarray:
    """A grey photo with a large and a small bright square (two objects of one look)."""
    img = np.full((120, 160, 3), 60, np.uint8)
    img[20:90, 20:90] = 200
    img[40:60, 120:140] = 200
    return img


def test_a_negative_click_on_a_separate_unwanted_part_removes_that_part_whole():
    """A mask with two parts: a negative click in the smaller one, which holds no positive click,
    removes it whole (another object), and the clicked object stays as it was."""
    from stylecut.segmentation.select import Selector

    selector = Selector(_two_squares(), None)
    current = np.zeros(selector.small.shape[:2], bool)
    current[20:90, 20:90] = current[40:60, 120:140] = True
    out = selector.click(current, [(50, 50, True)], (130, 50, False))
    assert not out[40:60, 120:140].any()
    assert np.array_equal(out[:, :100], current[:, :100])


def test_a_first_click_keeps_its_point_and_leaves_a_far_look_alike():
    """A first click on nothing: the mask holds the click and stays off the look-alike square across
    the photo (the distance to the clicks is one of the model's features)."""
    from stylecut.segmentation.select import Selector

    selector = Selector(_two_squares(), None)
    mask = selector.click(np.zeros(selector.small.shape[:2], bool), [], (55, 55, True))
    assert mask[55, 55] and not mask[40:60, 120:140].any() and not mask[:, 100:].any()


def test_a_box_on_a_flat_photo_is_never_empty():
    """Issue #26: a box alone came back all zero. With nothing in the box to tell apart, the cut
    falls back (plain GrabCut, then the ellipse in the box): something inside the box, nothing outside."""
    from stylecut.core.selection import Selection
    from stylecut.segmentation.select import select_mask

    img = np.full((100, 120, 3), 90, np.uint8)
    mask = select_mask(img, Selection(box=(30, 20, 90, 80)))
    assert mask.any() and not mask[:18].any() and not mask[:, :28].any() and not mask[82:].any()


def test_class_weights_give_the_object_its_expected_share():
    from stylecut.segmentation.click_model import _class_weights

    inside = np.zeros(100, bool)
    inside[:10] = True
    w = _class_weights(inside, 0.4)
    assert np.isclose(w.sum(), 100) and np.isclose(w[inside].sum(), 40)
    assert np.isclose(_class_weights(inside, 0.05)[inside].sum(), 10)  # never under the cells' own share
    assert np.array_equal(_class_weights(np.zeros(5, bool), 0.5), np.ones(5, np.float32))


def test_the_extent_of_a_positive_click_is_the_box_around_it_and_the_mask():
    from stylecut.segmentation.select import _box_share

    mask = np.zeros((100, 200), bool)
    mask[10:20, 10:30] = True
    assert np.isclose(_box_share(mask, []), 10 * 20 / 20000)
    assert np.isclose(_box_share(mask, [(109, 59)]), 50 * 100 / 20000)  # (x, y) reaches to column 109, row 59
    assert _box_share(np.zeros((4, 4), bool), []) == 0.0


def test_a_small_subject_gets_a_zoomed_view_and_keeps_it():
    from stylecut.segmentation.zoom import ZOOM_MAX, clicks_in, crop_for, view_of

    mask = np.zeros((480, 640), bool)
    mask[200:220, 300:330] = True  # 30 px across: the crop is the floor of 640 / ZOOM_MAX
    crop = crop_for(mask, [(310.0, 210.0)], None)
    x0, y0, x1, y1 = crop
    assert x1 - x0 == y1 - y0 == 640 / ZOOM_MAX and x0 <= 300 and x1 >= 330 and y0 <= 200 and y1 >= 220
    assert crop_for(mask, [(310.0, 210.0), (x0 + 1.0, y0 + 1.0)], crop) == crop  # clicks inside: the view stays
    moved = crop_for(mask, [(310.0, 210.0), (x1 + 5.0, 210.0)], crop)  # the subject reaches beyond it
    assert moved is not None and moved[0] < 300 and moved[2] > x1 + 5 and moved[2] - moved[0] > x1 - x0
    assert crop_for(mask, [(310.0, 210.0), (x1 + 60.0, 210.0)], crop) is None  # too large to gain: the photo
    big = np.zeros((480, 640), bool)
    big[100:300, 200:400] = True  # 200 px: 3x that is more than half the photo, no zoom
    assert crop_for(big, [(300.0, 200.0)], None) is None
    edge = crop_for(np.roll(mask, -300, axis=1), [(5.0, 210.0)], None)  # a subject at the photo's left edge
    assert edge[0] == 0 and edge[2] - edge[0] == 160  # shifted inside the photo, not cut short
    rgb = np.zeros((480, 640, 3), np.uint8)
    view = view_of(rgb, crop, 400)
    assert view.shape == (400, 400, 3)
    inner = clicks_in(((310.0, 210.0, True), (10.0, 10.0, False)), crop, view.shape)
    assert len(inner) == 1 and inner[0][2] and inner[0][0] == (310.0 - x0) * 2.5


def test_a_mask_reaching_a_side_of_its_view_ends_the_zoom_unless_that_side_is_the_photos_edge():
    from stylecut.segmentation.zoom import crop_for, touches

    mask = np.zeros((480, 640), bool)
    mask[200:220, 300:330] = True
    crop = crop_for(mask, [(310.0, 210.0)], None)
    assert not touches(mask, crop)
    x0, y0, x1, y1 = crop
    reaching = mask.copy()
    reaching[210, 300:x1] = True  # the cut in the view runs up to its right side: the subject goes on
    assert touches(reaching, crop)
    grown = crop_for(reaching, [(310.0, 210.0)], crop)
    assert grown != crop and (grown is None or grown[2] > x1)
    edge = np.zeros((480, 640), bool)
    edge[0:20, 0:30] = True  # a subject in the photo's corner touches the photo's edges only
    corner = crop_for(edge, [(10.0, 10.0)], None)
    assert corner[:2] == (0, 0) and not touches(edge, corner)
