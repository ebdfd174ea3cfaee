"""HTML sections of the scenario report: numbers as the engine's, text escaped, order kept."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

import finmodel
from finmodel.views import reporting
from finmodel.views.i18n import LANGUAGES, Language
from finmodel.views.text import LABELS

from conftest import ROOT


class _Tables(HTMLParser):
    """Rows of every table: a list of cell texts per <tr>; and the text of headings."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.headings: list[str] = []
        self.images: list[dict[str, str | None]] = []
        self._cell: list[str] | None = None
        self._heading = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag in ("h1", "h2", "h3"):
            self._heading = True
            self.headings.append("")
        elif tag == "img":
            self.images.append(dict(attrs))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None
        elif tag in ("h1", "h2", "h3"):
            self._heading = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._heading:
            self.headings[-1] += data


def parse(html: str) -> _Tables:
    parser = _Tables()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def base() -> finmodel.Projection:
    return finmodel.project(finmodel.load_scenario(ROOT / "scenarios/base.yaml"))


def test_budget_html_shows_the_engine_lines_in_whole_euros(base: finmodel.Projection) -> None:
    """Each budget row is the engine's line rounded to euros; payments negative in cash flow."""
    rows: dict[str, list[str]] = {}
    for r in parse(reporting.budget_html(base)).rows:
        if r:
            rows.setdefault(r[0], r[1:])  # the first table a line is in
    assert rows["EUR"][:2] == ["2026", "2027"]
    assert rows[LABELS["structural_result"]][:-1] == [
        reporting.amount_text(v) for v in base.lines["structural_result"]]
    assert parse(reporting.budget_html(base)).rows[0][-1] == "Total"  # flows: sum of years
    assert rows[LABELS["structural_result"]][-1] == reporting.amount_text(
        base.lines["structural_result"].sum())
    assert rows[LABELS["capex"]][0] == "-250,000"
    assert rows["Cash at start of year"][0] == "150,000"
    assert rows["Cash at start of year"][-1] == ""  # a balance has no total
    assert rows["Minimum cash"] == ["50,000"] * 15 + [""]


def test_budget_by_period_splits_at_the_subsidy(base: finmodel.Projection) -> None:
    """Subsidy years 2026-2029 and the years after: two sums that add up to the total."""
    last = [r for r in parse(reporting.periods_html(base, "nl")).rows if r][-1]
    line = base.lines["structural_result"]
    assert last == ["Structureel resultaat (zonder subsidie)",
                    reporting.amount_text(line[:4].sum(), "nl"),
                    reporting.amount_text(line[4:].sum(), "nl")]


def test_summary_html_escapes_scenario_text(write: Callable[..., Path]) -> None:
    """A name and description with markup are shown as text, never as HTML."""
    from conftest import TINY

    text = TINY.replace("name: Tiny", 'name: "<script>alert(1)</script> & Co"\n'
                        'description: "<b>bold</b> plan"')
    p = finmodel.project(finmodel.load_scenario(write(text, "evil.yaml")))
    html = reporting.summary_html(p) + reporting.assumptions_html(p)
    assert "<script>" not in html and "<b>bold" not in html
    assert "<h1>&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co</h1>" in html
    assert "&lt;b&gt;bold&lt;/b&gt; plan" in html


def test_summary_html_lists_every_failed_check(tiny: finmodel.Scenario) -> None:
    """A warning is listed under the master check with its message."""
    p = finmodel.project(tiny.with_changes({"finance.minimum_cash": 20000.0}))
    html = reporting.summary_html(p)
    assert ("<li>warning: Cash above the minimum: Cash is below the minimum of 20,000 EUR "
            "in 2025-2026.</li>") in html
    kpis = {r[0]: r[1] for r in parse(html).rows if len(r) == 2}
    assert kpis["Net present value of the cash flows (at 10.00%)"] == "24,181 EUR"
    assert kpis["Lowest cash, and its year"] == "4,000 EUR in 2025"
    assert kpis["Financing need (to stay above the minimum cash)"] == "16,000 EUR"  # 20k - 4k


def test_detail_html_sections_and_purchases(base: finmodel.Projection) -> None:
    """Every detail table is present; the purchases include the two replacements."""
    parsed = parse(reporting.detail_html(base))
    assert parsed.headings == ["Detail", "Segments", "Capacity and use", "Operating costs",
                               "Purchases", "Subsidies", "Parties: contributions",
                               "Parties: benefits"]
    years = [r[1] for r in parsed.rows if len(r) > 2 and r[2] == "purchase"]
    assert years == ["2026", "2026", "2031", "2036"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_charts_html_embeds_five_svg_images(base: finmodel.Projection, lang: Language) -> None:
    """Five images inline as SVG data, each with its title as alt text and, as text in
    the drawing, its title, the euro axis and the legend in the report's language."""
    import base64
    from html import unescape

    from finmodel.views.i18n import line_name, t

    images = parse(reporting.charts_html(base, lang)).images
    titles = [t(lang, "chart.income"), t(lang, "chart.subsidy_be", year="2030"),
              t(lang, "chart.cash"), t(lang, "chart.hours"), t(lang, "chart.self_sufficiency")]
    assert [i["alt"] for i in images] == titles
    if lang == "en":
        assert titles[1] == "Subsidy phase-out against the structural result (break-even 2030)"
    for image, title in zip(images, titles, strict=True):
        src = image["src"] or ""
        assert src.startswith("data:image/svg+xml;base64,")
        drawing = unescape(base64.b64decode(src.split(",", 1)[1]).decode("utf-8"))
        assert drawing.startswith("<?xml") and "<svg" in drawing and f">{title}<" in drawing
    income = unescape(base64.b64decode((images[0]["src"] or "").split(",", 1)[1]).decode())
    assert f">{line_name(lang, 'rental_income')}<" in income
    assert f">{t(lang, 'chart.eur')}<" in income  # the amount axis
    separator = r"\." if lang == "nl" else ","
    assert re.search(rf">\d{{1,3}}{separator}\d{{3}}<", income)  # tick labels as text


def test_frame_html_blanks_repeated_outer_labels() -> None:
    """A MultiIndex shows each outer label once; cells are escaped."""
    frame = pd.DataFrame({"2026": ["1", "<2>", "3"]}, index=pd.MultiIndex.from_tuples(
        [("A", "x"), ("A", "y"), ("B", "x")], names=["item", "measure"]))
    assert parse(reporting.frame_html(frame)).rows == [
        ["item", "measure", "2026"], ["A", "x", "1"], ["", "y", "<2>"], ["B", "x", "3"]]
    assert "&lt;2&gt;" in reporting.frame_html(frame)


def test_every_section_renders_for_the_smallest_scenario(write: Callable[..., Path]) -> None:
    """No items at all: empty detail tables say so; self-sufficiency is n/a, no warning."""
    from conftest import MINIMAL

    p = finmodel.project(finmodel.load_scenario(write(MINIMAL, "minimal.yaml")))
    html = "".join(f(p) for f in (reporting.summary_html, reporting.budget_html,
                                  reporting.charts_html, reporting.detail_html,
                                  reporting.assumptions_html))
    assert html.count("None in this scenario.") == 6  # all but capacity
    assert "<td>n/a</td>" in html and len(parse(html).images) == 5
