"""What every diagram's layout shares: the size of its text, and a time axis that makes room for it.

Diagrams are laid out from the text they must show, never squeezed to a width: one SVG unit is
one CSS pixel, text is drawn at ``FONT`` px in the site's monospace font and never scaled down
(a diagram wider than the column scrolls inside its own box). Widths come from character counts:
a monospace glyph is about 0.6 em wide; ``CHAR`` leaves a little room on top of that.
"""

from __future__ import annotations

from collections.abc import Sequence

FONT = 12.0  # px: the size every diagram draws its text at
CHAR = 7.6  # px per character at FONT, with room to spare for the widest monospace fonts
PAD = 10.0  # px of padding around a label inside its box
ROW = 28.0  # px per row of bars
LABEL_CAP = 96  # characters: a label longer than this (a huge repr) ends in an ellipsis; the
# whole text stays in the element's hover title and in the diagram's text alternative


def width(text: str) -> float:
    """The width ``text`` takes at FONT."""
    return len(text) * CHAR


def capped(text: str) -> str:
    """``text``, or its first LABEL_CAP characters and an ellipsis."""
    return text if len(text) <= LABEL_CAP else text[: LABEL_CAP - 1] + "\u2026"


def fit_steps(
    count: int, spans: Sequence[tuple[int, int, float]], minimum: float = 14.0
) -> list[float]:
    """Positions of ``count + 1`` step boundaries on a time axis where each span ``(first step,
    last step exclusive, width it needs)`` gets at least that width: short spans are served
    first, and a span that lacks room widens its own steps evenly. Returns the x of each
    boundary, starting at 0."""
    steps = [minimum] * max(count, 1)
    for first, given_last, needed in sorted(spans, key=lambda s: s[1] - s[0]):
        last = max(given_last, first + 1)
        have = sum(steps[first:last])
        if have < needed:
            extra = (needed - have) / (last - first)
            for index in range(first, min(last, len(steps))):
                steps[index] += extra
    positions = [0.0]
    for step in steps:
        positions.append(positions[-1] + step)
    return positions
