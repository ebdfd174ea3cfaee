"""The pieces of the report's SVG charts: text laid out with DejaVu Sans's advance
widths (:mod:`finmodel.views._font_widths`), numbers written the same way every time."""

from __future__ import annotations

from html import escape

from finmodel.views._font_widths import BOLD, NORMAL, UNITS_PER_EM

__all__ = ["FONT", "LABEL_SIZE", "TICK", "TICK_SIZE", "num", "text", "text_width"]

FONT = "'DejaVu Sans', sans-serif"
TICK_SIZE = 9.0      # xtick.labelsize, ytick.labelsize, legend.fontsize (points)
LABEL_SIZE = 10.0    # axes.labelsize
TICK = 3.5          # tick length and the pad to its label (points)


def text_width(text: str, size: float = TICK_SIZE, bold: bool = False) -> float:
    """The width in points of ``text`` in DejaVu Sans at ``size`` points (advance
    widths, no kerning); a character the table lacks counts as an "M".

    Examples
    --------
    >>> round(text_width("2030"), 3), round(text_width("2030", 12, bold=True), 3)
    (22.904, 33.398)
    """
    table = BOLD if bold else NORMAL
    wide = table[ord("M")]
    return sum(table.get(ord(c), wide) for c in text) * size / UNITS_PER_EM


def num(value: float) -> str:
    """A coordinate with two decimals at most: the same chart, the same text."""
    out = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if out == "-0" else out


def text(x: float, y: float, words: str, size: float, anchor: str = "start",
          bold: bool = False, rotate: float = 0.0, fill: str = "#000000") -> str:
    weight = ' font-weight="bold"' if bold else ""
    turn = f' transform="rotate({num(rotate)} {num(x)} {num(y)})"' if rotate else ""
    colour = f' fill="{fill}"' if fill != "#000000" else ""
    return (f'<text x="{num(x)}" y="{num(y)}" font-size="{num(size)}"{weight}'
            f' text-anchor="{anchor}"{colour}{turn}>{escape(words, quote=False)}</text>')
