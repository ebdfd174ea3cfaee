"""The sections of the comparison report, as HTML, for notebooks/compare_scenarios.ipynb.

Each ``*_html`` function is pure (projections in, HTML text out); the notebook only
shows them with :func:`finmodel.views.reporting.show`. Text from scenario files (names,
values, error messages) is escaped; amounts are shown in whole euros.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING

from finmodel.analysis.compare import BridgeError, assumption_diff, bridge, kpi_table, split_base
from finmodel.views import i18n
from finmodel.views.i18n import Language, t
from finmodel.views.reporting import frame_html
from finmodel.views.summary import is_year_path, value_text

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from finmodel.model.projection import Projection

__all__ = ["SECTIONS", "kpis_html", "load", "overlays_html", "versus_html"]

#: Section keys in report order; the headings are the catalogue's ``cmp.<key>``.
SECTIONS = ("kpis", "overlays")


def load(scenario_paths: Sequence[str], base: str) -> tuple[Projection, list[Projection]]:
    """Load and project the base and the other scenarios (in the order given)."""
    from finmodel.model.projection import project
    from finmodel.model.scenario import load_scenario

    base_path, others = split_base(scenario_paths, base)
    return (project(load_scenario(base_path)),
            [project(load_scenario(path)) for path in others])


def _image(ax: Axes, width: int = 900) -> str:
    from finmodel.views.charts import image_html

    return image_html(ax, width)


def title_html(lang: Language = "en") -> str:
    """The title and the introduction of the comparison report."""
    return (f'<h1>{escape(t(lang, "cmp.title"))}</h1>\n'
            f'<p class="note fm">{escape(t(lang, "cmp.intro"))}</p>')


def kpis_html(projections: Sequence[Projection], lang: Language = "en") -> str:
    """The KPIs of every scenario side by side, the base first, as a report shows them.

    Examples
    --------
    >>> import finmodel
    >>> p = finmodel.project(finmodel.load_scenario("scenarios/base.yaml"))
    >>> "<td>134,874 EUR</td>" in kpis_html([p]), "<td>€\\xa0134.874</td>" in kpis_html([p], "nl")
    (True, True)
    """
    table = kpi_table(projections)
    shown = table.apply(lambda row: [i18n.kpi_value(lang, str(row.name), v) for v in row],
                        axis=1, result_type="broadcast")
    shown.index = [i18n.kpi_name(lang, str(k)) for k in shown.index]
    shown.index.name = t(lang, "col.key_figure")
    return (f'<h2 id="kpis">{escape(t(lang, "cmp.kpis"))}</h2>\n'
            + frame_html(shown, totals=()))


def overlays_html(projections: Sequence[Projection], lang: Language = "en") -> str:
    """Cash position and structural result of every scenario, overlaid, as images."""
    from finmodel.views.compare_charts import cash_positions_chart, structural_results_chart

    return "\n".join([f'<h2 id="overlays">{escape(t(lang, "cmp.overlays"))}</h2>',
                      _image(cash_positions_chart(projections, lang=lang)),
                      _image(structural_results_chart(projections, lang=lang))])


def versus_html(base: Projection, other: Projection, kpi: str = "npv",
                lang: Language = "en") -> str:
    """One scenario against the base: the assumption diff and the bridge as a waterfall.

    A bridge that cannot be computed (an invalid hybrid, a null KPI) is shown as its
    message, so one scenario never stops the report.
    """
    from finmodel.views.compare_charts import waterfall_chart

    out = [f"<h2>{escape(t(lang, 'cmp.against', name=other.scenario.name))}</h2>",
           f"<h3>{escape(t(lang, 'cmp.differ'))}</h3>", _diff_html(base, other, lang),
           f"<h3>{escape(t(lang, 'cmp.bridge', kpi=i18n.kpi_name(lang, kpi)))}</h3>"]
    try:
        result = bridge(base.scenario, other.scenario, kpi)
    except BridgeError as exc:
        out.append(f'<p class="note fm">{escape(t(lang, "cmp.no_bridge", reason=str(exc)))}'
                   "</p>")
        return "\n".join(out)
    how = (t(lang, "cmp.exact") if result.method == "exact" else
           t(lang, "cmp.sampled", n=result.permutations,
             error=i18n.money(lang, max(result.errors))))
    text = t(lang, "cmp.from_to", base=i18n.money(lang, result.base_value),
             other=i18n.money(lang, result.other_value),
             total=i18n.signed(i18n.money(lang, result.total), result.total), how=how)
    out.append(f'<p class="note fm">{escape(text)}</p>')
    out.append(_image(waterfall_chart(result, lang=lang)))
    return "\n".join(out)


def _diff_html(base: Projection, other: Projection, lang: Language = "en") -> str:
    diff = assumption_diff(base.scenario, other.scenario)
    if diff.empty:
        return f'<p class="note fm">{escape(t(lang, "cmp.same"))}</p>'
    years = [is_year_path(str(p)) for p in diff["path"]]
    rows = {
        t(lang, "col.path"): list(diff["path"]),
        t(lang, "cmp.col.change"): [t(lang, f"cmp.change.{c}") for c in diff["change"]],
        t(lang, "cmp.col.base"): [_shown(v, y, lang) for v, y in zip(diff["base"], years,
                                                                      strict=True)],
        t(lang, "cmp.col.other"): [_shown(v, y, lang) for v, y in zip(diff["other"], years,
                                                                       strict=True)]}
    import pandas as pd

    frame = pd.DataFrame(rows, index=pd.Index([i18n.param_name(lang, str(p))
                                               for p in diff["path"]],
                                              name=t(lang, "col.parameter")))
    return frame_html(frame, text_columns=set(rows), totals=(),
                      path_columns={t(lang, "col.path")})


def _shown(value: object, year: bool, lang: Language) -> str:
    if value is None:
        return "-"
    if isinstance(value, dict) and any(isinstance(k, str) for k in value):
        return "; ".join(f"{i18n.param_name(lang, str(k))}: {_shown(v, False, lang)}"
                         for k, v in value.items())
    return value_text(value, year=year, lang=lang)
