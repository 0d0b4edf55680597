"""The options schema: one place for choices, defaults and limits, read by the library, CLI and server."""
from __future__ import annotations

import math
from dataclasses import fields

import pytest

from stylecut import StylecutError
from stylecut.core.options import GatysParams, Options, PaintOptions, check_field, defaults_of, describe, schema_fields
from stylecut.style.spec import layer_styles


@pytest.mark.parametrize("kwargs,needle", [
    (dict(style="preset:5", region="sky"), "unknown region 'sky'"),
    (dict(style="preset:5", refine="magic"), "unknown refine method"),
    (dict(style="preset:5", engine="warp"), "unknown engine"),
    (dict(style="preset:5", on_no_person="maybe"), "on-no-person"),
    (dict(style="preset:5", strength=float("nan")), "strength"),
    (dict(style="preset:5", strength=math.inf), "strength"),
    (dict(style="preset:5", blur=-1), "blur sigma"),
    (dict(style="preset:5", style_size=10**9), "style size"),
    (dict(style="preset:5", strength="strong"), "must be a number"),
    (dict(), "nothing to do"),
])
def test_options_refuse_bad_values(kwargs, needle):
    with pytest.raises(StylecutError, match=needle):
        Options(**kwargs)


def test_every_field_is_declared_once_with_help():
    for cls in (Options, GatysParams, PaintOptions):
        for f in schema_fields(cls, "form"):
            assert f.metadata["help"], f.name
    assert defaults_of(GatysParams) == {"iterations": 50, "size": 512, "style_weight": 1.0, "content_weight": 64.0,
                                        "tv_weight": 0.0, "seed": 0}
    assert {f.name for f in fields(Options)} - {f.name for f in schema_fields(Options)} == {"gatys"}


def test_describe_serves_choices_from_the_registry():
    by_name = {d["name"]: d for d in describe(Options)}
    assert by_name["engine"]["choices"] == ("fast", "gatys")
    assert by_name["region"] == {"name": "region", "type": "str", "default": "background",
                                 "help": "Where the style goes.", "choices": ("background", "foreground", "all")}
    assert by_name["strength"]["min"] == 0 and by_name["strength"]["max"] == 1
    assert by_name["preserve_color"]["type"] == "bool" and by_name["style_size"]["type"] == "int"
    assert by_name["style"]["suggested"] == "preset:20"


def test_layer_styles_keep_region_and_fg_style_meaning():
    o = Options(style="preset:3", fg_style="preset:7")
    assert [s and s.label for s in layer_styles(o).values()] == ["preset:3", "preset:7"]
    o = Options(style="preset:3", region="foreground")
    assert [s and s.label for s in layer_styles(o).values()] == [None, "preset:3"]
    o = Options(style="preset:3", region="all")
    styles = list(layer_styles(o).values())
    assert styles[0] is styles[1] and not o.needs_mask
    assert Options(blur=4).needs_mask and Options(style="preset:3", region="all", blur=2).needs_mask


def test_check_field_and_gatys_defaults():
    assert check_field(Options, "refine", "matting") == "matting"
    with pytest.raises(StylecutError, match="use one of: guided, matting, none"):
        check_field(Options, "refine", "sharp")
    assert Options(style="preset:1", engine="gatys").gatys == GatysParams()
    assert PaintOptions().height == 0.6
    with pytest.raises(StylecutError, match="height"):
        PaintOptions(height=0)


def test_points_are_parsed_strictly_and_bounded():
    from stylecut.core.selection import MAX_POINTS, parse_points

    assert parse_points("[[1, 2, 1], [3.5, 4, false]]") == ((1.0, 2.0, True), (3.5, 4.0, False))
    for bad in ("[" * 50000, '[[1, 2, "0"]]', "[[1, 2, 5]]", '[["1", 2, 1]]', "[[1, 2]]", "{}"):
        with pytest.raises(StylecutError, match="points"):
            parse_points(bad)
    with pytest.raises(StylecutError, match="too many points"):
        parse_points("[" + ",".join(["[1, 2, 1]"] * (MAX_POINTS + 1)) + "]")
