"""The report's table of contents lists every section the report has, with working anchors."""

from __future__ import annotations

import re

import pytest

import finmodel
from finmodel.views import partnership_report, reporting, variance_report
from finmodel.views.i18n import LANGUAGES, Language, t

from conftest import ROOT


def _sections(p: finmodel.Projection, lang: Language) -> str:
    """The report's sections in the notebook's order (without charts and the Monte Carlo
    section, whose headings come from the same catalogue keys)."""
    from finmodel.analysis.variance import variance

    actuals = (variance_report.section_html(variance(p.scenario, p), lang)
               if p.scenario.ledger is not None else "")
    return "\n".join([
        reporting.summary_html(p, lang, None, reporting.contents(p)),
        reporting.budget_html(p, lang), actuals,
        f'<h2 id="charts">{reporting.section_title(lang, "charts")}</h2>',
        reporting.detail_html(p, lang), partnership_report.parties_html(p, lang),
        partnership_report.agreement_html(p, lang),
        partnership_report.risks_html(p.scenario, lang),
        f'<h2 id="uncertainty">{t(lang, "section.uncertainty")}</h2>'
        if p.scenario.uncertainty else "",
        reporting.checks_html(p, lang), reporting.assumptions_html(p, lang=lang)])


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", ["base_actuals", "base"])
def test_contents_link_every_section_present(name: str, lang: Language) -> None:
    p = finmodel.project(finmodel.load_scenario(ROOT / "scenarios" / f"{name}.yaml"))
    html = _sections(p, lang)
    toc = re.search(r'<nav class="toc fm">.*?</nav>', html, re.S)
    assert toc is not None
    links = re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', toc.group())
    sections = re.findall(r'<h2 id="([^"]+)">([^<]+)</h2>', html)
    assert links == sections  # every section listed, in order, under its own heading
    keys = [key for key, _ in links]
    assert ("actuals" in keys) == (name == "base_actuals")
    if name == "base_actuals":
        assert keys.index("balance") + 1 == keys.index("actuals")
        title = {"en": "Budget vs actuals", "nl": t("nl", "section.actuals")}[lang]
        assert (("actuals", title)) in links
    assert len(set(keys)) == len(keys)
