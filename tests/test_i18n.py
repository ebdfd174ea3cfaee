"""Reports in English and Dutch: the catalogue is complete, numbers are in the locale's
format, and no internal identifier reaches the text a person reads."""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import finmodel
from finmodel.model.engine import KPIS, LINES
from finmodel.views import board, i18n, partnership_report, reporting, summary
from finmodel.views.compare_report import kpis_html, versus_html
from finmodel.views.messages_en import MESSAGES as EN
from finmodel.views.messages_nl import MESSAGES as NL

from conftest import ROOT, TINY

BUNDLED = sorted((ROOT / "scenarios").glob("*.yaml"))
#: Lines and KPIs other branches add (loans): their names must be in the catalogue already.
LOAN_LINES = ("interest", "loan_received", "repayment", "debt")
LOAN_KPIS = ("debt_end", "financing_need", "min_debt_service_coverage")
#: What must never be read in a report: engine keys and scenario paths.
_NAMES = {*LINES, *KPIS, *LOAN_LINES, *LOAN_KPIS, "cash_above_minimum", "occupancy_headroom",
          "cash_identity", "balance_identity", "cofinancing", "subsidy_cut_off", "input_warning"}
#: Keys that are also plain English words ("result", "equity") are left out of the search.
_WORDS = {"result", "capex", "depreciation", "equity", "occupancy", "debt", "interest",
          "repayment", "npv"}
IDENTIFIERS = re.compile(
    r"\b(?:" + "|".join(sorted(_NAMES - _WORDS, key=len, reverse=True)) + r")\b"
    r"|(?:segments|parties|subsidies|operating_costs|investments|contributions)\[")


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_key_has_both_languages_with_the_same_placeholders() -> None:
    """A message missing in one language, or with other placeholders, fails here."""
    assert set(EN) == set(NL), sorted(set(EN) ^ set(NL))
    wrong = {k: (_fields(EN[k]), _fields(NL[k])) for k in EN if _fields(EN[k]) != _fields(NL[k])}
    assert not wrong
    assert all(EN[k].strip() and NL[k].strip() for k in EN)


def _schema_fields() -> Iterator[str]:
    from pydantic import BaseModel

    from finmodel.model import schema

    seen: set[type] = set()
    todo: list[type] = [schema.ScenarioModel]
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, field in model.model_fields.items():
            yield field.alias or name
            text = repr(field.annotation)
            todo += [m for m in vars(schema).values() if isinstance(m, type)
                     and issubclass(m, BaseModel) and m.__name__ in text]


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_line_kpi_check_and_field_has_a_name(lang: i18n.Language) -> None:
    """Lines, KPIs (also those of loans), checks and every schema field are in the catalogue."""
    for line in (*LINES, *LOAN_LINES):
        assert i18n.has(lang, f"line.{line}"), line
    for kpi in (*KPIS, *LOAN_KPIS):
        assert i18n.has(lang, f"kpi.{kpi}"), kpi
    missing = sorted({f for f in _schema_fields() if not i18n.has(lang, f"field.{f}")})
    assert not missing


def test_dutch_glossary_words() -> None:
    """The glossary's words for the lines and key figures."""
    assert i18n.line_name("nl", "cash_end") == "Liquide middelen ultimo jaar"
    assert i18n.line_name("nl", "loan_received") == "Opgenomen lening"
    assert i18n.kpi_name("nl", "financing_need") == "Financieringsbehoefte"
    assert i18n.kpi_name("nl", "min_debt_service_coverage").endswith("(DSCR)")
    assert i18n.param_name("nl", "rental.segments[Schools].tariff") == "Schools: tarief"
    assert i18n.param_name("en", "rental.segments[Schools].tariff") == "Schools: tariff"
    assert i18n.check_name("nl", "input_warning[rental.segments[A].tariff]") == (
        "Controleer de waarde van A: tarief")
    assert i18n.check_name("en", "cofinancing[RIF grant]") == "Co-financing of RIF grant"


@settings(max_examples=60, deadline=None)
@given(st.integers(-10**9, 10**9))
def test_dutch_numbers_read_back(value: int) -> None:
    """Dots group thousands in Dutch, commas in English; the digits are the number's."""
    dutch, english = i18n.number("nl", value), i18n.number("en", value)
    assert int(dutch.replace(".", "")) == value and int(english.replace(",", "")) == value
    assert re.fullmatch(r"-?\d{1,3}(\.\d{3})*", dutch)
    assert i18n.money("nl", value) == "€\xa0" + dutch
    assert i18n.money("en", value) == english + " EUR"


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.floats(-1e15, 1e15, allow_nan=False, exclude_min=True, exclude_max=True),
                 st.integers(-10**8, 10**8).map(lambda n: n / 200),  # halves, quarters, ...
                 st.decimals(-10**9, 10**9, places=4).map(float)),
       st.sampled_from([0, 0, 1, 2, 3, 4, 6]), st.sampled_from(i18n.LANGUAGES))
def test_numbers_as_babel_writes_them(value: float, digits: int, lang: i18n.Language) -> None:
    """number() writes most numbers without Babel: the same text as Babel's pattern for
    the locale, rounded as number() rounds (half-way cases, 14 to 16 digits, decimals)."""
    from babel.numbers import parse_pattern

    rounded = round(value, digits) + 0.0
    pattern = parse_pattern("#,##0" + ("." + "0" * digits if digits else ""))
    assert i18n.number(lang, value, digits) == str(pattern.apply(rounded, i18n._locale(lang)))


def test_percentages_and_years() -> None:
    """Percent with a decimal comma in Dutch; years never grouped."""
    assert i18n.percent("nl", 0.125, 1) == "12,5%"
    assert i18n.percent("en", 0.125, 1) == "12.5%"
    assert i18n.year(2031) == "2031" and i18n.kpi_value("nl", "break_even_year", 2031) == "2031"
    assert summary.value_text(2029, year=True, lang="nl") == "2029"


class _Visible(HTMLParser):
    """The text a reader sees: no tags, styles, attributes (tooltips), nor the path column
    of the assumptions table (where names are mapped to paths on purpose)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0
        self.stack: list[bool] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        css = dict(attrs).get("class") or ""
        hide = tag in ("style", "script") or "path" in css.split()
        if tag in ("br", "img", "meta", "link", "input"):
            return
        self.stack.append(hide)
        self.hidden += hide

    def handle_endtag(self, tag: str) -> None:
        if tag in ("br", "img", "meta", "link", "input") or not self.stack:
            return
        self.hidden -= self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return " ".join(parser.parts)


def _report(p: finmodel.Projection, lang: i18n.Language,
            base: finmodel.Projection | None = None) -> str:
    return "\n".join([
        reporting.summary_html(p, lang, base, reporting.contents(p)),
        reporting.budget_html(p, lang), reporting.detail_html(p, lang),
        partnership_report.parties_html(p, lang), partnership_report.agreement_html(p, lang),
        partnership_report.risks_html(p.scenario, lang), reporting.checks_html(p, lang),
        reporting.assumptions_html(p, lang=lang)])


@pytest.fixture(scope="module")
def bundled() -> dict[str, finmodel.Projection]:
    return {path.stem: finmodel.project(finmodel.load_scenario(path)) for path in BUNDLED}


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_no_identifier_in_visible_text_of_bundled_reports(
        bundled: dict[str, finmodel.Projection], lang: i18n.Language) -> None:
    """Every section of every bundled report, and the comparison, in both languages."""
    base = bundled["base"]
    for name, p in bundled.items():
        text = visible(_report(p, lang, None if name == "base" else base))
        assert not IDENTIFIERS.findall(text), (name, sorted(set(IDENTIFIERS.findall(text))))
        if name != "base":
            text = visible(versus_html(base, p, lang=lang))
            assert not IDENTIFIERS.findall(text), (name, IDENTIFIERS.findall(text))
    text = visible(kpis_html(list(bundled.values()), lang))
    assert not IDENTIFIERS.findall(text)


def test_dutch_report_has_no_english_labels_and_dutch_numbers(
        bundled: dict[str, finmodel.Projection]) -> None:
    """The Dutch report uses the glossary's words and Dutch number formats in its tables."""
    p = bundled["base"]
    text = visible(_report(p, "nl"))
    for english in ("Total income", "Cash at year end", "Net present value", "Key figure",
                    "Structural result", "Master check", "Business case", "Summary"):
        assert english not in text
    for dutch in ("Totaal baten", "Liquide middelen ultimo jaar", "Samenvatting",
                  "Hoofdcontrole", "Gezamenlijke doelen"):
        assert dutch in text
    cells = re.findall(r"<td>([^<]*)</td>", reporting.budget_html(p, "nl"))
    assert not [c for c in cells if re.fullmatch(r"-?\d{1,3}(,\d{3})+", c)]
    assert any(re.fullmatch(r"-?\d{1,3}(\.\d{3})+", c) for c in cells)
    assert re.search("€\xa0\\d{1,3}(\\.\\d{3})+", text)


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_total_column_sums_the_flows(bundled: dict[str, finmodel.Projection],
                                     lang: i18n.Language) -> None:
    """The budget's total column is the sum over the horizon, rounded once."""
    p = bundled["rental_growth"]
    table = reporting._lines_table(p, [("rental_income", 1), ("cash_end", 1)], lang,
                                   total=True)
    assert table.columns[-1] == i18n.t(lang, "total")
    total = [cells[-1] for _, cells in table.rows]
    assert total[0] == i18n.number(lang, round(float(p.lines["rental_income"].sum())))
    assert total[1] == ""  # a balance has no total


def _tiny(minimum: float, opening: float, lang: str | None = None) -> finmodel.Scenario:
    scenario = finmodel.load_scenario(_write(TINY))
    changes: dict[str, object] = {"finance.minimum_cash": minimum, "finance.opening_cash": opening}
    if lang:
        changes["language"] = lang
    return scenario.with_changes(changes)


_FOLDER: list[Path] = []


def _write(text: str) -> Path:
    import tempfile

    if not _FOLDER:
        _FOLDER.append(Path(tempfile.mkdtemp()))
    path = _FOLDER[0] / "tiny.yaml"
    path.write_text(text)
    return path


@settings(max_examples=12, deadline=None)
@given(minimum=st.integers(0, 60_000), opening=st.integers(0, 30_000),
       lang=st.sampled_from(i18n.LANGUAGES))
def test_financing_need_sentence_in_generated_scenarios(minimum: int, opening: int,
                                                        lang: i18n.Language) -> None:
    """The summary states the money needed exactly when cash falls below the minimum, and
    the amount is minimum - lowest cash; no identifiers either way."""
    p = finmodel.project(_tiny(float(minimum), float(opening)))
    need = max(0.0, minimum - float(p.kpis["min_cash"] or 0.0))
    assert summary.financing_need(p) == pytest.approx(need)
    text = visible(reporting.summary_html(p, lang))
    sentence = i18n.t(lang, "s.financing_need", minimum=i18n.money(lang, minimum),
                      amount=i18n.money(lang, need))
    assert (sentence in text) == (need > 0)
    assert not IDENTIFIERS.findall(visible(_report(p, lang)))


def test_verdict_words_follow_the_numbers(bundled: dict[str, finmodel.Projection]) -> None:
    """Base: carries itself from 2030 with a buffer; a scenario short of cash: says how much."""
    base = board.verdict(bundled["base"], "nl")
    assert base[0] == "Oordeel: het lab kan na de subsidie op eigen benen staan."
    short = finmodel.project(bundled["base"].scenario.with_changes(
        {"finance.minimum_cash": 100000.0}))
    need = 100000.0 - float(short.kpis["min_cash"] or 0.0)
    words = " ".join(board.verdict(short, "en"))
    assert f"needs {i18n.money('en', need)} more at the start, or a loan" in words


def test_agreement_shows_texts_as_written_and_escaped(bundled: dict[str, finmodel.Projection]
                                                      ) -> None:
    """Common objectives and each party's texts, escaped, beside its numbers."""
    p = bundled["base"]
    html = partnership_report.agreement_html(p, "nl")
    from html import escape

    assert p.scenario.partnership.objectives
    for objective in p.scenario.partnership.objectives:
        assert escape(objective) in html
    vendor = next(x for x in p.scenario.parties if x.name == "CareTech Vendor")
    assert vendor.responsibilities and all(escape(r) in html for r in vendor.responsibilities)
    marked = p.scenario.with_changes({"partnership.objectives": ["<b>one</b> & two"]})
    assert "&lt;b&gt;one&lt;/b&gt; &amp; two" in partnership_report.agreement_html(
        finmodel.project(marked), "en")


def test_language_in_the_scenario_and_its_errors(write: object) -> None:
    """``language: nl`` is read; another value is an error naming the allowed ones."""
    from finmodel.model.errors import ScenarioError

    assert _tiny(0, 0, "nl").language == "nl"
    path = _write(TINY + "language: fr\n")
    with pytest.raises(ScenarioError) as caught:
        finmodel.load_scenario(path)
    assert "language" in str(caught.value) and "'en'" in str(caught.value)


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_chart_texts_have_no_identifiers(bundled: dict[str, finmodel.Projection],
                                         lang: i18n.Language) -> None:
    """Titles, axis labels, tick labels and legends of the report's charts."""
    from finmodel.analysis.risks import risk_register
    from finmodel.views import charts
    from finmodel.views.compare_charts import cash_positions_chart
    from finmodel.views.risks import expected_impact_chart

    p = bundled["base"]
    axes = [chart(p, lang=lang) for chart in (charts.income_chart, charts.subsidy_chart,
                                               charts.cash_chart, charts.hours_chart,
                                               charts.self_sufficiency_chart)]
    axes += [expected_impact_chart(risk_register(p.scenario), lang=lang),
             cash_positions_chart(list(bundled.values()), lang=lang)]
    for ax in axes:
        ax.figure.canvas.draw()  # tick labels exist once drawn
        texts = [ax.get_title("left"), ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        texts += [t.get_text() for t in (*ax.get_xticklabels(), *ax.get_yticklabels())]
        legend = ax.get_legend()
        texts += [t.get_text() for t in legend.get_texts()] if legend else []
        joined = " | ".join(texts)
        assert not IDENTIFIERS.findall(joined), joined
        if lang == "nl":
            assert "euro" in ax.get_ylabel() + ax.get_xlabel() or ax.get_ylabel() == "" \
                or "uren" in ax.get_ylabel() or "aandeel" in ax.get_ylabel()


def test_cli_lang_changes_text_not_json(capsys: pytest.CaptureFixture[str]) -> None:
    """``--lang nl`` speaks Dutch in the table; JSON stays the contract's English keys."""
    from finmodel.cli import main

    assert main(["run", str(ROOT / "scenarios" / "base.yaml"), "--lang", "nl"]) == 0
    out = capsys.readouterr().out
    assert "Liquide middelen ultimo jaar" in out and "Kengetallen" in out
    assert re.search(r"\b\d{1,3}\.\d{3}\b", out)
    assert main(["run", str(ROOT / "scenarios" / "base.yaml"), "--format", "json",
                 "--lang", "nl"]) == 0
    nl_json = capsys.readouterr().out
    assert main(["run", str(ROOT / "scenarios" / "base.yaml"), "--format", "json"]) == 0
    assert capsys.readouterr().out == nl_json and '"cash_end"' in nl_json


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_years_in_assumptions_are_never_grouped(lang: i18n.Language) -> None:
    """Every year value, also inside a risk's overrides, reads 2029, not 2,029 or 2.029."""
    table = summary.assumptions_table(finmodel.load_scenario(ROOT / "scenarios" / "base.yaml"),
                                      lang)
    years = table[[summary.is_year_path(p) for p in table["path"]]]
    assert len(years) > 5 and any("overrides" in p for p in years["path"])
    assert all(re.fullmatch(r"\d{1,4}", v) for v in years["value"]), years


def test_explorer_speaks_the_language_given() -> None:
    """explore(..., language="nl"): key figures, checks and chart titles in Dutch."""
    from finmodel.explore.widgets import ExplorerApp

    app = ExplorerApp(ROOT / "scenarios" / "base.yaml", "nl")
    assert "Netto contante waarde" in app.kpi_html.value and "€\xa0134.874" in app.kpi_html.value
    assert "Hoofdcontrole: in orde" in app.checks_html.value
    assert not IDENTIFIERS.findall(visible(app.checks_html.value + app.kpi_html.value))
    charts = {c["id"]: c for c in app.charts.data["charts"]}
    assert charts["cash"]["title"] == i18n.t("nl", "chart.cash")
    assert charts["income"]["title"] == i18n.t("nl", "chart.income")
    # the minimum line says 50,000 in Dutch money; the browser groups thousands with "."
    assert charts["cash"]["hlines"][0]["name"] == "Minimale kaspositie (€\xa050.000)"
    assert app.charts.data["thousands"] == "."
    assert charts["cash"]["lines"][0]["name"] == i18n.line_name("nl", "cash_end")
    assert charts["cash"]["lines"][1]["name"].endswith("zoals in het bestand")
    assert "Financiering" in app.groups.titles and app.reset_button.description == "Herstel"
    # a change shows Dutch money as the difference, and the group counts it in Dutch
    app.explorer.set("finance.opening_cash", app.explorer.value("finance.opening_cash") + 10000)
    app.refresh()
    assert "+€\xa010.000" in app.kpi_html.value
    assert "Financiering \u25cf 1 gewijzigd" in app.groups.titles
    assert not IDENTIFIERS.findall(visible(app.checks_html.value + app.kpi_html.value))


def test_explorer_words_are_in_the_catalogue_for_every_language() -> None:
    """The panel's words come from the catalogue: the same keys in English and Dutch, and
    Dutch differs from English where a controller reads it."""
    from finmodel.explore.live import chart_words
    from finmodel.explore.widgets import WORDS

    assert set(WORDS["en"]) == set(WORDS["nl"])
    assert WORDS["nl"]["changed"] == "gewijzigd" and WORDS["en"]["changed"] == "changed"
    assert chart_words("en")["thousands"] == "," and chart_words("nl")["thousands"] == "."
    assert chart_words("nl")["cash"] == NL["chart.cash"] != EN["chart.cash"]
