"""The explorer's charts, drawn in the browser: only new numbers travel on a change.

:class:`LiveCharts` is an ``anywidget`` whose JavaScript (``live_charts.js``, beside this
module) draws three SVG charts from a small JSON payload: cash against the minimum (with
the file as written, optionally a second scenario and a P10-P90 band), income by source
against expenses, and the subsidy phase-out against the structural result. A change sends
about 3 kB of numbers instead of a PNG rendered in the kernel; the browser redraws once
per animation frame with the newest numbers only, so a burst of changes never queues
stale drawings. Colours come from :data:`finmodel.views.charts.COLORS` and the labels
from :data:`finmodel.views.text.LABELS`, so the charts read like the report's.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import anywidget
import numpy as np
import traitlets

from finmodel.model.projection import Projection
from finmodel.views import i18n
from finmodel.views.charts import COLORS
from finmodel.views.i18n import Language, t
from finmodel.views.text import LABELS

__all__ = ["AS_WRITTEN", "CHART_WORDS", "LiveCharts", "LiveHTML", "band_payload", "chart_labels",
           "chart_payload", "chart_words"]

_INCOME = ("rental_income", "partner_cash", "in_kind_income", "operating_subsidies",
           "investment_subsidy_release")
_SUBSIDIES = ("operating_subsidies", "investment_subsidy_release")


def chart_words(lang: Language = "en") -> dict[str, str]:
    """The charts' words in ``lang``, from the views' catalogue, and the thousands separator
    of its locale (``","`` in English, ``"."`` in Dutch).

    >>> chart_words("nl")["thousands"], chart_words("nl")["as_written"]
    ('.', 'zoals in het bestand')
    """
    words = {key: t(lang, f"chart.{key}") for key in
             ("cash", "income", "subsidy", "subsidy_be", "minimum", "below")}
    words |= {key: t(lang, f"ex.chart.{key}") for key in ("cash_axis", "as_written", "band")}
    return words | {"eur_axis": t(lang, "chart.eur"), "lang": lang,
                    "thousands": i18n.number(lang, 1000)[1]}


def chart_labels(lang: Language = "en") -> dict[str, str]:
    """The line names the charts show, in ``lang``."""
    return {name: i18n.line_name(lang, name) for name in LABELS}


#: The charts' words in English (:func:`chart_words` gives another language's).
CHART_WORDS: dict[str, str] = chart_words("en")

#: How the file as written and a second scenario are drawn in the cash chart.
AS_WRITTEN = {"color": COLORS["result"], "dash": "5 4"}
_OTHER = {"color": COLORS["partner_cash"], "dash": "2 3"}


def _values(a: np.ndarray) -> list[float | None]:
    """Numbers for JSON, rounded to cents; NaN (undefined) as null."""
    return [None if np.isnan(v) else round(float(v), 2) for v in a]


def _bars(p: Projection, names: tuple[str, ...], labels: Mapping[str, str]
          ) -> list[dict[str, Any]]:
    return [{"name": labels[n], "color": COLORS[n], "values": _values(p.lines[n])}
            for n in names]


def _amount(value: float, words: Mapping[str, str]) -> str:
    return i18n.money(i18n.language(words.get("lang")), value)


def _line(name: str, color: str, values: np.ndarray, **style: Any) -> dict[str, Any]:
    return {"name": name, "color": color, "values": _values(values), **style}


def chart_payload(p: Projection, written: Projection | None = None,
                  other: Projection | None = None, words: Mapping[str, str] = CHART_WORDS,
                  labels: Mapping[str, str] = LABELS) -> dict[str, Any]:
    """What the browser draws for projection ``p``: years and three chart specifications.

    ``written`` (the file as written) and ``other`` (a second scenario) join the cash chart
    as dashed lines. Amounts are in EUR, rounded to cents. ``words`` (see
    :data:`CHART_WORDS`) and ``labels`` (line names) give the language.

    Examples
    --------
    >>> import finmodel
    >>> p = finmodel.project(finmodel.load_scenario("scenarios/base.yaml"))
    >>> data = chart_payload(p)
    >>> [c["id"] for c in data["charts"]], data["charts"][0]["hlines"][0]["name"]
    (['cash', 'income', 'structural'], 'Minimum cash (50,000 EUR)')
    >>> data["charts"][0]["lines"][0]["values"][0], data["years"][0]
    (62833.0, 2026)
    """
    cash, minimum = p.lines["cash_end"], p.scenario.finance.minimum_cash
    lines = [_line(labels["cash_end"], COLORS["cash_end"], cash, marker=True, width=2)]
    for shown, style, name in ((written, AS_WRITTEN, words["as_written"]),
                               (other, _OTHER, "")):
        if shown is not None:
            label = name or f"{shown.scenario.name} ({Path(shown.scenario.files[0].path).name})"
            lines.append(_line(f"{labels['cash_end']}, {label}", style["color"],
                               shown.lines["cash_end"], dash=style["dash"], width=1.5))
    low = cash < minimum
    year = p.kpis["break_even_year"]
    return {"years": [int(y) for y in p.years], "thousands": words["thousands"], "charts": [
        {"id": "cash", "title": words["cash"], "ylabel": words["cash_axis"],
         "bars": [], "lines": lines, "floor": min(0.0, float(cash.min()) * 1.1),
         "hlines": [{"name": words["minimum"].format(amount=_amount(minimum, words)),
                     "value": minimum, "color": COLORS["minimum"], "dash": "6 4"}],
         "below": {"name": words["below"], "color": COLORS["minimum"],
                   "values": _values(np.where(low, cash, np.nan))} if low.any() else None},
        {"id": "income", "title": words["income"], "ylabel": words["eur_axis"],
         "bars": _bars(p, _INCOME, labels), "hlines": [], "lines": [
             _line(labels["total_expenses"], COLORS["total_expenses"],
                   p.lines["total_expenses"], marker=True, width=2)]},
        {"id": "structural", "title": words["subsidy"] if year is None
         else words["subsidy_be"].format(year=year), "ylabel": words["eur_axis"],
         "bars": _bars(p, _SUBSIDIES, labels), "zero": True, "hlines": [], "lines": [
             _line(labels["structural_result"], COLORS["structural_result"],
                   p.lines["structural_result"], marker=True, width=2)]},
    ]}


def band_payload(p10: np.ndarray, p90: np.ndarray, draws: int,
                 words: Mapping[str, str] = CHART_WORDS) -> dict[str, Any]:
    """The P10-P90 band of cash at year end for the cash chart (EUR, by year)."""
    count = i18n.number(i18n.language(words.get("lang")), draws)
    return {"name": words["band"].format(draws=count), "color": COLORS["partner_cash"],
            "p10": _values(p10), "p90": _values(p90)}


class LiveCharts(anywidget.AnyWidget):
    """Three charts drawn in the browser from :func:`chart_payload` (``data``) and a band.

    ``revision`` counts the payloads sent; the browser writes the one it has drawn in the
    ``data-revision`` attribute of the charts, which tests and benchmarks wait for.
    """

    _esm = Path(__file__).with_name("live_charts.js")
    data = traitlets.Dict().tag(sync=True)
    band = traitlets.Dict().tag(sync=True)
    revision = traitlets.Int(0).tag(sync=True)

    def show(self, payload: dict[str, Any]) -> None:
        """Draw a new payload (one message to the browser)."""
        with self.hold_sync():
            self.revision += 1
            self.data = payload


class LiveHTML(anywidget.AnyWidget):
    """HTML the explorer writes itself (key figures, checks), put in the page as it is.

    ``ipywidgets.HTML`` passes every change through JupyterLab's sanitizer, which took a
    quarter of the time from a typed value to the updated key figures; this HTML is
    built from escaped text by :mod:`finmodel.explore.widgets` only.
    """

    _esm = """
    function render({ model, el }) {
      const box = document.createElement("div");
      box.className = "finmodel-html";
      el.append(box);
      const show = () => { box.innerHTML = model.get("value"); };
      model.on("change:value", show);
      show();
      return () => model.off("change:value", show);
    }
    export default { render };
    """
    value = traitlets.Unicode("").tag(sync=True)
