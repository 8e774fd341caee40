"""What a figure shows, as data: for comparing figures by content, not by bytes.

A figure's SVG changes with Matplotlib's version, the fonts, and the last
digits a processor's BLAS computes; what the figure *shows* does not: its
titles and labels, its texts and legends, how many lines, points, bars and
images each panel holds, and the plotted numbers. :func:`describe` records
those; :func:`differences` compares two records, numbers to a relative
tolerance, everything else exactly.
"""

import math

import numpy as np
from matplotlib.collections import Collection
from matplotlib.image import AxesImage
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

# Numbers agree when within this fraction of the largest value they come with:
# far above rounding and BLAS differences, far below anything a reader sees.
RELATIVE_TOLERANCE = 1e-6


def numbers(values) -> list:
    array = np.asarray(values, dtype=float)
    # 9 significant digits: far finer than the tolerance, and a small file
    return [
        float(f"{v:.9g}") if math.isfinite(v) else None for v in array.ravel()
    ]


def texts_of(axes) -> list[str]:
    return [text.get_text() for text in axes.texts if text.get_text()]


def describe_axes(axes) -> dict:
    legend = axes.get_legend()
    return {
        "title": axes.get_title(),
        "xlabel": axes.get_xlabel(),
        "ylabel": axes.get_ylabel(),
        "xscale": axes.get_xscale(),
        "yscale": axes.get_yscale(),
        "xlim": numbers(axes.get_xlim()),
        "ylim": numbers(axes.get_ylim()),
        "texts": texts_of(axes),
        "legend": [t.get_text() for t in legend.get_texts()] if legend else [],
        "lines": [
            {
                "label": line.get_label(),
                "x": numbers(line.get_xdata()),
                "y": numbers(line.get_ydata()),
            }
            for line in axes.lines
            if isinstance(line, Line2D) and line.get_visible()
        ],
        "collections": [
            {
                "kind": type(c).__name__,
                "points": numbers(c.get_offsets()),
                "values": numbers(c.get_array())
                if c.get_array() is not None
                else [],
            }
            for c in axes.collections
            if isinstance(c, Collection)
        ],
        "rectangles": [
            numbers([p.get_x(), p.get_y(), p.get_width(), p.get_height()])
            for p in axes.patches
            if isinstance(p, Rectangle)
        ],
        "patches": len(axes.patches),
        "images": [
            {
                "shape": list(np.shape(image.get_array())),
                "values": numbers(image.get_array()),
            }
            for image in axes.get_images()
            if isinstance(image, AxesImage)
        ],
    }


def describe(figure) -> dict:
    """What ``figure`` shows, panel by panel, as JSON-ready data."""
    return {
        "suptitle": figure._suptitle.get_text() if figure._suptitle else "",
        "texts": [t.get_text() for t in figure.texts if t.get_text()],
        "axes": [describe_axes(axes) for axes in figure.get_axes()],
    }


def differences(expected, actual, where: str = "figure") -> list[str]:
    """Where two descriptions disagree; numbers within the relative tolerance agree."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        if expected.keys() != actual.keys():
            return [f"{where}: keys {sorted(expected)} != {sorted(actual)}"]
        return [
            found
            for key in expected
            for found in differences(
                expected[key], actual[key], f"{where}.{key}"
            )
        ]
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return [f"{where}: {len(expected)} items, now {len(actual)}"]
        numeric = [v for v in expected if isinstance(v, float | int)]
        scale = max((abs(v) for v in numeric), default=0.0)
        found = []
        for index, (old, new) in enumerate(zip(expected, actual, strict=True)):
            if isinstance(old, float | int) and isinstance(new, float | int):
                if abs(old - new) > RELATIVE_TOLERANCE * max(scale, 1e-300):
                    found.append(f"{where}[{index}]: {old!r} != {new!r}")
            else:
                found += differences(old, new, f"{where}[{index}]")
        return found[:5]
    return (
        [] if expected == actual else [f"{where}: {expected!r} != {actual!r}"]
    )
