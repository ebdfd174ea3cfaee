"""matplotlib's SVG output, with each text measured once per process, not once per chart.

Laying out a chart measures every tick label, title and legend entry with FreeType;
matplotlib caches the sizes per renderer, and the SVG backend makes a new renderer for
every figure, so the years and amounts that every chart of a report shares were
measured again for each one (a quarter of drawing a chart). A size depends only on the
text, the font files and the size in points, so :class:`Canvas` keeps them for the
process; the SVG it writes is byte for byte what ``savefig(format="svg")`` writes.
"""

from __future__ import annotations

import codecs
from typing import Any

from matplotlib import cbook
from matplotlib.backends.backend_mixed import MixedModeRenderer
from matplotlib.backends.backend_svg import FigureCanvasSVG, RendererSVG
from matplotlib.font_manager import fontManager

__all__ = ["Canvas"]

#: Text sizes (width, height, descent in points) by (text, font files, size in points).
_SIZES: dict[tuple[str, tuple[str, ...], float], tuple[float, float, float]] = {}
_MOST = 20_000  # then start again: a report uses a few hundred


class _Renderer(RendererSVG):
    def get_text_width_height_descent(self, s: str, prop: Any, ismath: Any
                                      ) -> tuple[float, float, float]:
        if ismath:  # mathtext and TeX: as matplotlib does
            return super().get_text_width_height_descent(  # type: ignore[no-any-return, no-untyped-call]
                s, prop, ismath)
        files = tuple(str(f) for f in fontManager._find_fonts_by_props(prop))
        key = (s, files, float(prop.get_size_in_points()))
        size = _SIZES.get(key)
        if size is None:
            if len(_SIZES) >= _MOST:
                _SIZES.clear()
            size = _SIZES[key] = super().get_text_width_height_descent(  # type: ignore[no-untyped-call]
                s, prop, ismath)
        return size


class Canvas(FigureCanvasSVG):
    """The SVG canvas of a figure made outside pyplot: ``Canvas(figure)`` makes it the
    figure's canvas, after which ``figure.savefig(..., format="svg")`` uses it."""

    def print_svg(self, filename: Any, *, bbox_inches_restore: Any = None,
                  metadata: dict[str, Any] | None = None, **_: Any) -> None:
        # FigureCanvasSVG.print_svg (matplotlib 3.11) with the renderer above; the other
        # arguments print_figure passes (dpi, colours) are set on the figure already
        fh: Any
        with cbook.open_file_cm(filename, "w", encoding="utf-8") as fh:
            if not cbook.file_requires_unicode(fh):
                fh = codecs.getwriter("utf-8")(fh)
            dpi = self.figure.dpi
            self.figure.dpi = 72
            width, height = self.figure.get_size_inches()
            w, h = width * 72, height * 72
            renderer: Any = MixedModeRenderer(  # type: ignore[no-untyped-call]
                self.figure, width, height, dpi,
                _Renderer(w, h, fh, image_dpi=dpi, metadata=metadata),  # type: ignore[no-untyped-call]
                bbox_inches_restore=bbox_inches_restore)
            self.figure.draw(renderer)
            renderer.finalize()
