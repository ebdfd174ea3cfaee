"""The explorer in JupyterLab: grouped controls, live key figures, checks and charts.

``explore("../scenarios/base.yaml")`` in a notebook shows a scenario chooser (the YAML
files beside the chosen one) and a second scenario to compare with, the controls of
:class:`finmodel.explore.explorer.Explorer` in collapsible groups (Rental, Subsidies,
Partners, Loans, Indices, Finance; a group's title counts its changed controls), the key
figures with their change against the file as written, three charts drawn in the browser
(:mod:`finmodel.explore.live`), the check sheet, reset and "save as scenario".

Each control has its full label (wrapping), a slider that updates while it moves, a box to
type a value (``160,000``, ``2,5``) and the value as written in the file. Rates are shown
in percent, amounts with thousands separators (:mod:`finmodel.explore.display`).
Updates are paced (:mod:`finmodel.explore.pacing`): the newest slider position wins, and
the Monte Carlo band (P10-P90 of cash, when the file has an ``uncertainty`` block) is
computed in a background thread after a pause, never before the key figures and charts.
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any

import ipywidgets as w

from finmodel.analysis.simulation import simulate
from finmodel.explore import display
from finmodel.explore.explorer import Control, Explorer
from finmodel.explore.live import (
    LiveCharts,
    LiveHTML,
    band_payload,
    chart_labels,
    chart_payload,
    chart_words,
)
from finmodel.explore.pacing import Background, Latest, running_loop
from finmodel.model.errors import FinModelError, ScenarioError
from finmodel.model.projection import Projection, project
from finmodel.model.scenario import load_scenario
from finmodel.views import i18n
from finmodel.views.i18n import LANGUAGES, Language, t
from finmodel.views.summary import check_message
from finmodel.views.warning_text import problem_line

__all__ = ["BAND_DRAWS", "GROUPS", "KPIS", "WORDS", "ExplorerApp", "checks_list", "explore",
           "kpi_table", "words"]

#: The key figures the panel shows, in this order (names from the views' catalogue).
KPIS = ("npv", "total_result", "break_even_year", "min_cash", "min_cash_year",
        "years_below_minimum", "funding_gap_after_subsidy", "book_value_end",
        "deferred_subsidy_end", "debt_end", "financing_need", "min_debt_service_coverage")
#: Groups of controls, in the order a controller reads a budget.
GROUPS = ("Rental", "Subsidies", "Partners", "Loans", "Indices", "Finance")
_WORD_KEYS = ("scenario", "compare", "none", "in_file", "changed", "reset", "save_as", "save",
              "overwrite", "name_hint", "key_figure", "explored", "change", "prognosis",
              "band_wait", "band_done", "master_ok", "master_failed")


def words(lang: Language) -> dict[str, str]:
    """The panel's words in ``lang`` (keys ``ex.*`` of the views' catalogue).

    >>> words("nl")["changed"], words("en")["reset"]
    ('gewijzigd', 'Reset')
    """
    return {key: t(lang, f"ex.{key}") for key in _WORD_KEYS} | {"lang": lang}


#: The panel's words by language (``language=``), from the views' catalogue.
WORDS: dict[str, dict[str, str]] = {lang: words(lang) for lang in LANGUAGES}
#: Draws for the Monte Carlo band: the band's edges move less than 1 % between seeds.
BAND_DRAWS = 2000
_BAND_PAUSE = 0.4  # seconds without input before the band is computed again


def explore(scenario: str | os.PathLike[str] = "../scenarios/base.yaml",
            compare: str | None = None, language: str = "en") -> w.Widget:
    """The explorer UI for a scenario file, ready to display in a notebook."""
    return ExplorerApp(scenario, compare=compare, language=language).widget


class _Row:
    """One control: full label, slider, typed value and the value as written in the file."""

    def __init__(self, control: Control, lang: Language) -> None:
        self.control = control
        cls = w.IntSlider if control.integer else w.FloatSlider
        self.slider = cls(value=display.shown(control, control.base),
                          min=display.shown(control, control.low),
                          max=display.shown(control, control.high),
                          step=display.slider_step(control), readout=False,
                          continuous_update=True, layout=w.Layout(width="52%"))
        self.lang = lang
        self.entry = w.Text(display.format_value(control, control.base, lang),
                            continuous_update=False, layout=w.Layout(width="22%"))
        self.entry.add_class("finmodel-entry")
        self.unit = w.HTML(html.escape(display.unit_text(control, lang)),
                           layout=w.Layout(width="24%"))
        written = display.written_text(control, lang)
        self.name = label = display.label(control, lang)
        self.label = w.HTML(layout=w.Layout(width="98%"))
        self._label = (f'<span title="{html.escape(control.path)}">{html.escape(label)}'
                       f'</span> <span class="finmodel-file" style="color:#666">'
                       f"({html.escape(written)})</span>")
        self.box = w.VBox([self.label, w.HBox([self.slider, self.entry, self.unit])],
                          layout=w.Layout(margin="0 0 6px 0"))
        self.box.add_class("finmodel-control")
        self.value = float("nan")
        self.show(control.base)

    def show(self, value: float) -> None:
        """The control at ``value`` (its own unit): slider, typed value and changed mark;
        nothing to do when it shows that value already (``forget`` to draw it again)."""
        if value == self.value:
            return
        self.value = value
        changed = value != self.control.base
        mark = (f'<b style="color:#e8a33d" title="{t(self.lang, "ex.changed")}">\u25cf</b> '
                if changed else "")
        self.label.value = (f'<div class="finmodel-label" data-changed="{str(changed).lower()}"'
                            f' style="line-height:1.3;white-space:normal">{mark}{self._label}'
                            "</div>")
        self.slider.value = display.shown(self.control, value)
        self.entry.value = display.format_value(self.control, value, self.lang)

    def forget(self) -> None:
        """Draw the value again next time, e.g. over a refused typed value."""
        self.value = float("nan")


class ExplorerApp:
    """The widgets around an :class:`Explorer`; ``widget`` is what a notebook displays.

    ``ExplorerApp(path, "nl")`` shows the panel, key figures, checks and charts in Dutch
    (words and number formats from :mod:`finmodel.views.i18n`); ``compare`` names a second
    scenario beside ``path``.
    """

    def __init__(self, scenario: str | os.PathLike[str], language: str = "en", *,
                 compare: str | None = None) -> None:
        if language not in WORDS:
            raise FinModelError(f"explorer language {language!r} not available; "
                                f"choose {', '.join(WORDS)}")
        self.lang: Language = i18n.language(language)
        self.words = WORDS[self.lang]
        self._chart_words, self._chart_labels = chart_words(self.lang), chart_labels(self.lang)
        path = Path(scenario)
        self.folder = path.parent
        loop = running_loop()
        self._latest = Latest(loop)
        self._band_later = Latest(loop, delay=_BAND_PAUSE)
        self._band_worker = Background(self._band_arrived, loop)
        self._pending: dict[str, float] = {}
        self._quiet = False
        self.rows: dict[str, _Row] = {}
        self.chooser = w.Dropdown(options=self._files(), value=path.name,
                                  description=self.words["scenario"],
                                  style={"description_width": "105px"},
                                  layout=w.Layout(width="98%"))
        self.compare = w.Dropdown(options=self._others(path.name, compare),
                                  value=compare or self.words["none"],
                                  description=self.words["compare"],
                                  style={"description_width": "105px"},
                                  layout=w.Layout(width="98%"))
        self.groups = w.Accordion(layout=w.Layout(max_height="640px", overflow="auto"))
        self.kpi_html, self.checks_html, self.status = LiveHTML(), LiveHTML(), w.HTML()
        self.band_note = w.HTML()
        self.charts = LiveCharts(layout=w.Layout(width="100%"))
        self.reset_button = w.Button(description=self.words["reset"], icon="undo")
        self.name = w.Text(placeholder=self.words["name_hint"],
                           description=self.words["save_as"])
        self.overwrite = w.Checkbox(False, description=self.words["overwrite"], indent=False)
        self.save_button = w.Button(description=self.words["save"], icon="save")
        self.reset_button.on_click(lambda _: self.reset())
        self.save_button.on_click(lambda _: self.save())
        self.chooser.observe(lambda ch: self.choose(ch["new"]), names="value")
        self.compare.observe(lambda ch: self.compare_with(ch["new"]), names="value")
        left = w.VBox([self.chooser, self.compare, self.groups, self.reset_button, self.name,
                       self.overwrite, self.save_button, self.status],
                      layout=w.Layout(width="42%"))
        right = w.VBox([self.kpi_html, self.charts, self.band_note, self.checks_html],
                       layout=w.Layout(width="58%"))
        self.widget = w.HBox([left, right])
        self.widget.add_class("finmodel-explorer")
        self.other: Projection | None = None
        self.load(path)
        self.compare_with(self.compare.value)

    @property
    def sliders(self) -> dict[str, w.Widget]:
        """The slider of each control by parameter path (values in the shown unit)."""
        return {path: row.slider for path, row in self.rows.items()}

    def _files(self) -> list[str]:
        return sorted(p.name for p in self.folder.glob("*.yaml"))

    def _others(self, explored: str, compare: str | None = None) -> list[str]:
        files = [f for f in self._files() if f != explored]
        return [self.words["none"], *files, *([compare] if compare and compare not in files
                                               else [])]

    def load(self, path: Path) -> None:
        """Explore another scenario file: new controls, key figures, charts."""
        self.explorer = Explorer(path)
        self._pending.clear()
        self.rows = {c.path: _Row(c, self.lang) for c in self.explorer.controls}
        for path_, row in self.rows.items():
            row.slider.observe(lambda ch, p=path_: self.slid(p, ch["new"]), names="value")
            row.entry.observe(lambda ch, p=path_: self.typed(p, ch["new"]), names="value")
        members = {g: [r.box for r in self.rows.values() if r.control.group == g]
                   for g in GROUPS}
        shown = [g for g in GROUPS if members[g]]
        self.groups.children = [w.VBox(members[g]) for g in shown]
        self._group_names = shown
        self.groups.selected_index = 0
        self.status.value = ""
        self.refresh()

    def choose(self, name: str) -> None:
        """Another file from the chooser; a file that does not load is reported, not shown."""
        try:
            self.load(self.folder / name)
        except FinModelError as exc:
            self.status.value = _message(t(self.lang, "ex.cannot_explore", name=name,
                                           error=_said(self.lang, exc)), error=True)
            return
        with self.compare.hold_trait_notifications():  # the explored file is no choice
            current = self.compare.value
            self.compare.options = self._others(name)
            self.compare.value = current if current in self.compare.options else \
                self.words["none"]

    def compare_with(self, name: str) -> None:
        """A second scenario's cash in the cash chart (``(none)``: only the file as written)."""
        self.other = None
        if name and name != self.words["none"]:
            try:
                self.other = project(load_scenario(self.folder / name))
            except FinModelError as exc:
                self.status.value = _message(t(self.lang, "ex.cannot_compare", name=name,
                                               error=_said(self.lang, exc)), error=True)
        self._draw()

    def slid(self, path: str, shown: float) -> None:
        """A slider moved: the newest position of every slider is applied once the kernel
        has read the messages already waiting."""
        if not self._quiet:
            self._pending[path] = display.stored(self.rows[path].control, shown)
            self._latest.submit(self._apply)

    def typed(self, path: str, text: str) -> None:
        """A value typed in a control's box; one that is no number goes to the status line."""
        if self._quiet:
            return
        control = self.rows[path].control
        try:
            self._pending[path] = display.parse_value(control, text)
        except ValueError:
            example = display.format_value(control, control.base, self.lang)
            error = t(self.lang, "ex.not_a_number", text=repr(text))
            self.status.value = _message(t(self.lang, "ex.type_eg", label=self.rows[path].name,
                                           error=error, example=example), error=True)
            self.rows[path].forget()
            self._follow()
            return
        self._latest.submit(self._apply)

    def _apply(self) -> None:
        pending, self._pending = self._pending, {}
        if not pending:
            return
        message = ""
        for path, value in pending.items():
            try:
                self.explorer.set(path, value)
            except FinModelError as exc:
                message = _message(_refused(self.rows[path], exc), error=True)
                self.rows[path].forget()
        self.status.value = message
        self.refresh()

    def reset(self) -> None:
        """Every control back to the scenario's value."""
        self.explorer.reset()
        self.status.value = _message(t(self.lang, "ex.reset_done"))
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
        self.status.value = _message(t(self.lang, "ex.saved", target=target, n=changed))

    def refresh(self) -> None:
        """Charts first, then key figures, checks and controls; the band after a pause."""
        self._draw()
        self.kpi_html.value = kpi_table(self.explorer, self.lang)
        self.checks_html.value = checks_list(self.explorer, self.lang)
        self._follow()
        self.groups.titles = tuple(self._group_title(g) for g in self._group_names)
        self._band_later.submit(self._ask_band)

    def _follow(self) -> None:
        """The controls show the explorer's values (only those that differ are sent)."""
        self._quiet = True  # no update per control
        try:
            for path, row in self.rows.items():
                row.show(self.explorer.value(path))
        finally:
            self._quiet = False

    def _draw(self) -> None:
        self.charts.show(chart_payload(self.explorer.projection,
                                       self.explorer.base_projection, self.other,
                                       self._chart_words, self._chart_labels))

    def _group_title(self, group: str) -> str:
        changed = sum(self.explorer.value(c.path) != c.base for c in self.explorer.controls
                      if c.group == group)
        name = t(self.lang, f"ex.group.{group}") if i18n.has(self.lang, f"ex.group.{group}") \
            else group
        return f"{name} \u25cf {changed} {self.words['changed']}" if changed else name

    def _ask_band(self) -> None:
        """Start the Monte Carlo band of the explored budget in the background thread."""
        scenario = self.explorer.scenario
        if not scenario.data.get("uncertainty"):
            self.band_note.value = ""
            return
        overrides = self.explorer.overrides()
        self.band_note.value = _note(self.words["band_wait"].format(
            draws=i18n.number(self.lang, BAND_DRAWS)))
        chart = self._chart_words
        self._band_worker.request(lambda: cash_band(scenario, overrides, BAND_DRAWS, chart))

    def _band_arrived(self, band: dict[str, Any] | Exception) -> None:
        if isinstance(band, Exception):
            self.charts.band = {}
            self.band_note.value = _message(t(self.lang, "ex.band_failed", error=band), True)
            return
        self.charts.band = band
        self.band_note.value = _note(self.words["band_done"].format(
            draws=i18n.number(self.lang, BAND_DRAWS)))

    def wait_for_band(self, timeout: float = 60.0) -> bool:
        """Block until the band's worker is idle (for scripts and tests without a kernel)."""
        return self._band_worker.wait(timeout)


def cash_band(scenario: Any, overrides: dict[str, Any], draws: int,
              chart: dict[str, str] | None = None) -> dict[str, Any]:
    """P10-P90 of cash at year end over ``draws`` Monte Carlo draws of the explored budget.

    The scenario's own seed is used, so the same explored values give the same band.
    """
    explored = scenario.with_changes(overrides, source="<explorer>") if overrides else scenario
    sim = simulate(explored, draws=draws)
    return band_payload(sim.line("cash_end", 10), sim.line("cash_end", 90), draws,
                        chart or chart_words("en"))


def kpi_table(explorer: Explorer, lang: Language = "en") -> str:
    """The KPIs as an HTML table in ``lang``: value and change against the scenario as
    written, and the prognosis's value when the scenario has actuals."""
    said = WORDS[lang]
    rows = []
    prognosis = explorer.prognosis_kpis
    for name in KPIS:
        now, then = explorer.kpis[name], explorer.base_kpis[name]
        delta = "" if now == then else _delta(lang, name, now, then)
        extra = ("" if prognosis is None else '<td style="text-align:right">'
                 f"{html.escape(i18n.kpi_value(lang, name, prognosis[name]))}</td>")
        rows.append(f"<tr><td>{html.escape(i18n.kpi_name(lang, name))}</td>"
                    f'<td class="finmodel-kpi" data-kpi="{name}" '
                    'style="text-align:right;padding:0 10px">'
                    f"<b>{html.escape(i18n.kpi_value(lang, name, now))}</b></td>"
                    f'<td style="text-align:right;color:#555">{html.escape(delta)}</td>'
                    f"{extra}</tr>")
    head = ("" if prognosis is None else
            f"<th style='text-align:right;padding:0 10px'>{html.escape(said['prognosis'])}</th>")
    return ('<table class="finmodel-kpis" style="border-collapse:collapse">'
            f"<tr><th style='text-align:left'>{html.escape(said['key_figure'])}</th>"
            f"<th style='text-align:right;padding:0 10px'>{html.escape(said['explored'])}</th>"
            f"<th style='text-align:right'>{html.escape(said['change'])}</th>{head}</tr>"
            + "".join(rows) + "</table>")


def _delta(lang: Language, name: str, now: float | int | None,
           then: float | int | None) -> str:
    """A key figure's change in ``lang``: ``+10,000 EUR`` / ``+€ 10.000``, ``+1`` year."""
    if now is None or then is None:
        return t(lang, "ex.was", value=i18n.kpi_value(lang, name, then))
    if name.endswith("_year") or name == "years_below_minimum":
        return f"{now - then:+d}"
    if name == "min_debt_service_coverage":
        return i18n.signed(i18n.number(lang, now - then, 2), now - then)
    return i18n.signed(i18n.money(lang, now - then), round(now - then))


def checks_list(explorer: Explorer, lang: Language = "en") -> str:
    """The check sheet as HTML in ``lang``: master check first, then each check's name and
    message (rebuilt in the language from the projection, as the reports do)."""
    p = explorer.projection
    items = [f"<b>{html.escape(WORDS[lang]['master_ok' if p.master_check else 'master_failed'])}"
             "</b>"]
    for check in explorer.checks:
        mark = "&#10003;" if check.passed else ("&#10007;" if check.kind == "identity"
                                                else "&#9888;")
        colour = "#2a7a2a" if check.passed else "#b00020"
        items.append(f'<span style="color:{colour}">{mark}</span> '
                     f"{html.escape(i18n.check_name(lang, check.name))}: "
                     f"{html.escape(check_message(p, check, lang))}")
    return '<div class="finmodel-checks">' + "<br>".join(items) + "</div>"


def _note(text: str) -> str:
    return f'<div class="finmodel-band" style="color:#555">{html.escape(text)}</div>'


def _said(lang: Language, exc: FinModelError) -> str:
    """An error in ``lang``: each problem of a scenario as ``FILE:LINE: PATH: message``."""
    if isinstance(exc, ScenarioError):
        return "\n".join(problem_line(lang, p) for p in exc.problems)
    return str(exc)


def _refused(row: _Row, exc: FinModelError) -> str:
    """A typed value the explorer refused: out of range said by the control's name, with
    its range in the shown unit and the locale's format; any other error as :func:`_said`."""
    problems = exc.problems if isinstance(exc, ScenarioError) else []
    if len(problems) == 1 and problems[0].code == "explorer_range":
        got = float(problems[0].params["got"])
        return f"{row.name}: {display.range_text(row.control, got, row.lang)}"
    return _said(row.lang, exc)


def _message(text: str, error: bool = False) -> str:
    colour = "#b00020" if error else "#2a7a2a"
    body = html.escape(text).replace("\n", "<br>")
    return f'<div class="finmodel-status" style="color:{colour}">{body}</div>'
