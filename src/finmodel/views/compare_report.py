"""The sections of the comparison report, as HTML, for notebooks/compare_scenarios.ipynb.

Each ``*_html`` function is pure (projections in, HTML text out); the notebook only
shows them with :func:`finmodel.views.reporting.show`. Text from scenario files (names,
values, error messages) is escaped; amounts are shown in whole euros.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING

from finmodel.analysis.compare import BridgeError, assumption_diff, bridge, kpi_table, split_base
from finmodel.views.compare_text import value_text
from finmodel.views.reporting import amount_text, frame_html
from finmodel.views.text import format_kpi

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from finmodel.model.projection import Projection

__all__ = ["SECTIONS", "kpis_html", "load", "overlays_html", "versus_html"]

#: Section headings in report order (the notebook test looks for these).
SECTIONS = ("KPIs side by side", "Cash position and structural result")


def load(scenario_paths: Sequence[str], base: str) -> tuple[Projection, list[Projection]]:
    """Load and project the base and the other scenarios (in the order given)."""
    from finmodel.model.projection import project
    from finmodel.model.scenario import load_scenario

    base_path, others = split_base(scenario_paths, base)
    return (project(load_scenario(base_path)),
            [project(load_scenario(path)) for path in others])


def _image(ax: Axes, width: int = 900) -> str:
    from finmodel.views.charts import png

    data = base64.b64encode(png(ax)).decode("ascii")
    return (f'<p><img alt="{escape(ax.get_title())}" style="width: {width}px" '
            f'src="data:image/png;base64,{data}"></p>')


def kpis_html(projections: Sequence[Projection]) -> str:
    """The KPIs of every scenario side by side, the base first, as a report shows them.

    Examples
    --------
    >>> import finmodel
    >>> p = finmodel.project(finmodel.load_scenario("scenarios/base.yaml"))
    >>> "<td>134,874 EUR</td>" in kpis_html([p])
    True
    """
    table = kpi_table(projections)
    shown = table.apply(lambda row: [format_kpi(str(row.name), v) for v in row], axis=1,
                        result_type="broadcast")
    return f"<h2>{escape(SECTIONS[0])}</h2>\n" + frame_html(shown, totals=())


def overlays_html(projections: Sequence[Projection]) -> str:
    """Cash position and structural result of every scenario, overlaid, as images."""
    from finmodel.views.compare_charts import cash_positions_chart, structural_results_chart

    return "\n".join([f"<h2>{escape(SECTIONS[1])}</h2>",
                      _image(cash_positions_chart(projections)),
                      _image(structural_results_chart(projections))])


def versus_html(base: Projection, other: Projection, kpi: str = "npv") -> str:
    """One scenario against the base: the assumption diff and the bridge as a waterfall.

    A bridge that cannot be computed (an invalid hybrid, a null KPI) is shown as its
    message, so one scenario never stops the report.
    """
    from finmodel.views.compare_charts import waterfall_chart

    out = [f"<h2>{escape(other.scenario.name)} against the base</h2>",
           "<h3>Assumptions that differ</h3>", _diff_html(base, other),
           f"<h3>Bridge of {escape(kpi)}</h3>"]
    try:
        result = bridge(base.scenario, other.scenario, kpi)
    except BridgeError as exc:
        out.append(f'<p class="note fm">No bridge: {escape(str(exc))}</p>')
        return "\n".join(out)
    how = ("exact Shapley values: each item's effect averaged over every order of "
           "changing the items" if result.method == "exact" else
           f"a sampled estimate of the Shapley values over {result.permutations} random "
           "orders of changing the items (largest standard error "
           f"{amount_text(max(result.errors))} EUR)")
    out.append(f'<p class="note fm">From {amount_text(result.base_value)} to '
               f"{amount_text(result.other_value)} EUR ({amount_text(result.total)}); "
               f"the parts are {how} and add up to the difference.</p>")
    out.append(_image(waterfall_chart(result)))
    return "\n".join(out)


def _diff_html(base: Projection, other: Projection) -> str:
    diff = assumption_diff(base.scenario, other.scenario)
    if diff.empty:
        return '<p class="note fm">None: the assumptions are the same.</p>'
    shown = diff[["path", "change"]].copy()
    shown["base"] = diff["base"].map(value_text)
    shown["other"] = diff["other"].map(value_text)
    return frame_html(shown.set_index("path"), text_columns={"change", "base", "other"},
                      totals=())
