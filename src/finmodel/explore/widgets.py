"""The explorer in JupyterLab: sliders, live KPIs, checks and charts (ipywidgets).

``explore("../scenarios/base.yaml")`` in a notebook shows a scenario chooser (the YAML
files beside the chosen one), one slider per driver (:class:`finmodel.explore.explorer.Explorer`
controls), the KPIs with their change against the scenario as written, the check sheet,
three charts that redraw on every change (cash against the minimum, income by source
against expenses, structural result), a reset button and "save as scenario".
The charts are matplotlib figures whose artists are updated in place, shown as a PNG.
"""

from __future__ import annotations

import html
import io
import os
from pathlib import Path
from typing import Any

import ipywidgets as w
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from finmodel.explore.charts import Charts
from finmodel.explore.explorer import Control, Explorer
from finmodel.model.errors import FinModelError
from finmodel.views import i18n
from finmodel.views.i18n import Language, t
from finmodel.views.text import format_kpi

__all__ = ["ExplorerApp", "explore"]

#: The KPIs shown, in order (names from the catalogue of :mod:`finmodel.views.i18n`).
KPI_LABELS: dict[str, str] = {k: i18n.kpi_name("en", k) for k in (
    "npv", "total_result", "break_even_year", "min_cash", "min_cash_year",
    "years_below_minimum", "funding_gap_after_subsidy", "book_value_end",
    "deferred_subsidy_end", "debt_end", "financing_need", "min_debt_service_coverage")}
#: What a slider's number does, where it is not the value itself: a factor, a shift.
_SUFFIX = {"scale": " \N{MULTIPLICATION SIGN}", "shift": " +"}
_GROUPS = ("Rental", "Subsidies", "Partners", "Indices", "Finance", "Loans")


def explore(scenario: str | os.PathLike[str] = "../scenarios/base.yaml",
            language: str | None = None) -> w.Widget:
    """The explorer UI for a scenario file, ready to display in a notebook; ``language``
    en or nl (default: the scenario's ``language``, else en)."""
    return ExplorerApp(scenario, language).widget


class ExplorerApp:
    """The widgets around an :class:`Explorer`; ``widget`` is what a notebook displays."""

    def __init__(self, scenario: str | os.PathLike[str], language: str | None = None) -> None:
        self.language = language
        self.lang: Language = i18n.language(language)
        path = Path(scenario)
        self.folder = path.parent
        self.chooser = w.Dropdown(options=self._files(), value=path.name,
                                  description="Scenario", layout=w.Layout(width="98%"))
        self.sliders: dict[str, w.Widget] = {}
        self._quiet = False
        self.controls = w.VBox(layout=w.Layout(max_height="560px", overflow="auto"))
        self.kpi_html, self.checks_html, self.status = w.HTML(), w.HTML(), w.HTML()
        self.chart = w.Image(format="png", layout=w.Layout(width="100%"))
        self.reset_button = w.Button(description="Reset", icon="undo")
        self.name = w.Text(placeholder="name, e.g. higher_tariff", description="Save as")
        self.overwrite = w.Checkbox(False, description="overwrite if the file exists",
                                    indent=False)
        self.save_button = w.Button(description="Save as scenario", icon="save")
        self.reset_button.on_click(lambda _: self.reset())
        self.save_button.on_click(lambda _: self.save())
        self.chooser.observe(lambda ch: self.choose(ch["new"]), names="value")
        left = w.VBox([self.chooser, self.controls, self.reset_button, self.name,
                       self.overwrite, self.save_button, self.status],
                      layout=w.Layout(width="46%"))
        right = w.VBox([self.kpi_html, self.chart, self.checks_html],
                       layout=w.Layout(width="54%"))
        self.widget = w.HBox([left, right])
        self.figure = Figure(figsize=(7.4, 10.5), dpi=72, layout="constrained")
        FigureCanvasAgg(self.figure)
        self.load(path)

    def _files(self) -> list[str]:
        return sorted(p.name for p in self.folder.glob("*.yaml"))

    def load(self, path: Path) -> None:
        """Explore another scenario file: new sliders, KPIs, charts."""
        self.explorer = Explorer(path)
        self.lang = i18n.language(self.language or self.explorer.projection.scenario.language)
        self.sliders = {c.path: _slider(c) for c in self.explorer.controls}
        for path_, slider in self.sliders.items():
            slider.observe(lambda ch, p=path_: self.change(p, ch["new"]), names="value")
        rows: list[w.Widget] = []
        for group in _GROUPS:
            members = [self.sliders[c.path] for c in self.explorer.controls if c.group == group]
            if members:
                rows += [w.HTML(f"<b>{group}</b>"), *members]
        self.controls.children = rows
        self.figure.clear()
        self.charts = Charts(self.explorer.projection, self.figure, self.lang)
        self.status.value = ""
        self.refresh()

    def choose(self, name: str) -> None:
        """Another file from the chooser; a file that does not load is reported, not shown."""
        try:
            self.load(self.folder / name)
        except FinModelError as exc:
            self.status.value = _message(f"cannot explore {name}:\n{exc}", error=True)

    def change(self, path: str, value: float) -> None:
        """A slider moved: project again and show it (an error goes to the status line)."""
        if self._quiet:
            return
        try:
            self.explorer.set(path, value)
        except FinModelError as exc:
            self.status.value = _message(str(exc), error=True)
            return
        self.refresh()

    def reset(self) -> None:
        """Every slider back to the scenario's value."""
        self.explorer.reset()
        self._quiet = True  # the sliders follow the explorer; no update per slider
        try:
            for path, slider in self.sliders.items():
                slider.value = self.explorer.value(path)
        finally:
            self._quiet = False
        self.status.value = _message("reset to the scenario as written")
        self.refresh()

    def save(self) -> None:
        """Save what changed as a new scenario beside the explored one."""
        try:
            target = self.explorer.save_as(self.name.value.strip(), self.folder,
                                           overwrite=self.overwrite.value)
        except FinModelError as exc:
            self.status.value = _message(str(exc), error=True)
            return
        self.overwrite.value = False
        with self.chooser.hold_trait_notifications():
            current = self.chooser.value
            self.chooser.options = self._files()
            self.chooser.value = current
        changed = len(self.explorer.overrides())
        self.status.value = _message(f"saved {target} ({changed} changed parameter(s))")

    def refresh(self) -> None:
        """KPIs, checks and charts of the explorer's current state."""
        self.kpi_html.value = kpi_table(self.explorer, self.lang)
        self.checks_html.value = checks_list(self.explorer, self.lang)
        self.charts.update(self.explorer.projection)
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png")
        self.chart.value = buffer.getvalue()


def _slider(control: Control) -> w.Widget:
    cls = w.IntSlider if control.integer else w.FloatSlider
    decimals = _decimals(control.base, control.step)
    options: dict[str, Any] = {} if control.integer else {"readout_format": f".{decimals}f"}
    return cls(value=control.base, min=control.low, max=control.high, step=control.step,
               description=control.label + _SUFFIX.get(control.kind, ""),
               tooltip=f"{control.path} ({control.unit})",
               continuous_update=False, style={"description_width": "250px"},
               layout=w.Layout(width="97%"), **options)


def _decimals(*numbers: float) -> int:
    """Decimals needed to show every number exactly (at most 6).

    Examples
    --------
    >>> _decimals(112.5, 5.0), _decimals(0.025, 0.0025), _decimals(150000.0, 5000.0)
    (1, 4, 0)
    """
    return next((d for d in range(7) if all(round(x, d) == x for x in numbers)), 6)


def kpi_table(explorer: Explorer, lang: Language = "en") -> str:
    """The KPIs as an HTML table: value and change against the scenario as written, and
    the prognosis's value when the scenario has actuals."""
    rows = []
    prognosis = explorer.prognosis_kpis
    for name in KPI_LABELS:
        now, then = explorer.kpis[name], explorer.base_kpis[name]
        delta = "" if now == then else _delta(name, now, then, lang)
        extra = ("" if prognosis is None else '<td style="text-align:right">'
                 f"{html.escape(format_kpi(name, prognosis[name], lang))}</td>")
        rows.append(f'<tr><td>{html.escape(i18n.kpi_name(lang, name))}</td>'
                    f'<td class="finmodel-kpi" data-kpi="{name}" style="text-align:right">'
                    f"<b>{html.escape(format_kpi(name, now, lang))}</b></td>"
                    f'<td style="text-align:right;color:#555">{html.escape(delta)}</td>'
                    f"{extra}</tr>")
    keys = ("col.key_figure", "ex.explored", "ex.change") + (
        () if prognosis is None else ("ex.prognosis",))
    head = "".join(f"<th>{html.escape(t(lang, k))}</th>" for k in keys)
    return ('<table class="finmodel-kpis" style="border-collapse:collapse">'
            f"<tr>{head}</tr>" + "".join(rows) + "</table>")


def _delta(name: str, now: float | int | None, then: float | int | None,
           lang: Language = "en") -> str:
    if now is None or then is None:
        return t(lang, "ex.was", value=format_kpi(name, then, lang))
    if name.endswith("_year") or name == "years_below_minimum":
        return f"{now - then:+d}"
    if name == "min_debt_service_coverage":
        return f"{now - then:+.2f}"
    return i18n.signed(i18n.money(lang, now - then), round(now - then))


def checks_list(explorer: Explorer, lang: Language = "en") -> str:
    """The check sheet as HTML: master check first, then each check with its message."""
    from finmodel.views.summary import check_message

    master = explorer.projection.master_check
    items = [f"<b>{html.escape(t(lang, 'ex.master_ok' if master else 'ex.master_failed'))}</b>"]
    for check in explorer.checks:
        mark = "&#10003;" if check.passed else ("&#10007;" if check.kind == "identity"
                                                else "&#9888;")
        colour = "#2a7a2a" if check.passed else "#b00020"
        message = check_message(explorer.projection, check, lang)
        items.append(f'<span style="color:{colour}">{mark}</span> '
                     f"{html.escape(i18n.check_name(lang, check.name))}: "
                     f"{html.escape(message)}")
    return '<div class="finmodel-checks">' + "<br>".join(items) + "</div>"


def _message(text: str, error: bool = False) -> str:
    colour = "#b00020" if error else "#2a7a2a"
    body = html.escape(text).replace("\n", "<br>")
    return f'<div class="finmodel-status" style="color:{colour}">{body}</div>'
