"""``finmodel new NAME``: write a commented starter scenario that runs as it is."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from finmodel.views.i18n import Language

HELP = ("write a commented starter scenario (scenarios/NAME.yaml, or the .yaml path "
        "given) that runs as it is; never overwrites")

#: The starter: every block once, small round figures, comments saying what to change.
STARTER = """\
# {name}: a starter scenario written by `finmodel new`. Replace the figures with yours.
# The format: docs/scenario-format.md in the finmodel project; check it with
#   finmodel check {path}
# Amounts are euros per year in {start} prices; rates are fractions (0.025 is 2.5 %).
# Write numbers without thousands separators: 58000 or 58_000, never 58.000 (that is 58).
name: {name}
language: {language}                    # of reports and terminal text (en, nl)
description: >-
  What question does this scenario answer? Say it here; reports show it on top.

start_year: {start}
horizon: 10                     # years projected, 1 to 50

indexation:                     # named yearly rates; items choose one with `indexation:`
  cpi: 0.025                    # consumer prices
  wages: 0.03                   # collective labour agreement

facility:
  available_hours: 1600         # hours a year the facility can be used

investments:                    # one-off purchases, depreciated straight-line
  - name: Equipment
    amount: 100000
    year: {start}
    life: 5                     # years; with replace: true bought again every 5 years
    replace: true
    indexation: cpi

operating_costs:                # yearly running costs
  - name: Coordinator
    category: staff
    amount: 60000
    indexation: wages
  - name: Licences and maintenance
    amount: 15000
    indexation: cpi

rental:                         # hours rented to outside users
  segments:
    - name: Other institutions
      tariff: 100               # EUR per hour
      indexation: cpi
      demand_hours: 600
      ramp_up: [0.5, 0.8]       # share of demand in the first years, then 1

subsidies:
  - name: Start grant
    type: operating
    amount: 50000               # EUR a year until the phase-out
    phase_out: {{start: {start}, full_years: 2, taper_years: 2}}

parties:                        # partners: what they use and what they bring
  - name: College
    role: public                # public, commercial or other
    own_use_hours: 400
    contributions:
      - name: Yearly fee
        type: cash              # cash or in_kind
        amount: 40000
        indexation: cpi

finance:
  opening_cash: 120000
  minimum_cash: 20000           # the reserve the check sheet watches
  discount_rate: 0.04           # for the npv

# What you are unsure of, for `finmodel simulate` and `finmodel sensitivity` (which
# need this block): a parameter path and a distribution of its value or, with
# `apply: multiply`, of a factor on it.
uncertainty:
  "rental.segments[Other institutions].demand_hours":
    {{triangular: [0.5, 1.0, 1.2], apply: multiply}}
  "indexation.wages": {{normal: [0.03, 0.005]}}
"""


#: The starter with Dutch comments and names (``--lang nl``); keys and fixed values
#: (``staff``, ``operating``, ``public``...) stay as the format spells them.
STARTER_NL = """\
# {name}: een startscenario, geschreven door `finmodel new`. Vervang de bedragen door de uwe.
# Het formaat: docs/scenario-format.md in het finmodel-project; controleer het bestand met
#   finmodel check {path}
# Bedragen zijn euro's per jaar in prijzen van {start}; percentages als breuk (0.025 is 2,5%).
# Schrijf getallen zonder scheidingsteken voor duizendtallen en met een decimale punt:
# 58000 of 58_000, nooit 58.000 (dat is 58).
name: {name}
language: {language}                    # taal van rapporten en terminaltekst (nl, en)
description: >-
  Welke vraag beantwoordt dit scenario? Zeg het hier; de rapporten tonen het bovenaan.

start_year: {start}
horizon: 10                     # aantal jaren dat wordt doorgerekend, 1 tot 50

indexation:                     # jaarlijkse percentages; een post kiest er een met `indexation:`
  cpi: 0.025                    # consumentenprijzen
  wages: 0.03                   # cao-lonen

facility:
  available_hours: 1600         # uren per jaar dat de faciliteit gebruikt kan worden

investments:                    # eenmalige aankopen, lineair afgeschreven
  - name: Apparatuur
    amount: 100000
    year: {start}
    life: 5                     # jaren; met replace: true elke 5 jaar opnieuw gekocht
    replace: true
    indexation: cpi

operating_costs:                # jaarlijkse exploitatiekosten
  - name: Coördinator
    category: staff
    amount: 60000
    indexation: wages
  - name: Licenties en onderhoud
    amount: 15000
    indexation: cpi

rental:                         # uren verhuurd aan externe gebruikers
  segments:
    - name: Andere instellingen
      tariff: 100               # euro per uur
      indexation: cpi
      demand_hours: 600
      ramp_up: [0.5, 0.8]       # deel van de vraag in de eerste jaren, daarna 1

subsidies:
  - name: Startsubsidie
    type: operating
    amount: 50000               # euro per jaar tot de afbouw
    phase_out: {{start: {start}, full_years: 2, taper_years: 2}}

parties:                        # partners: wat ze gebruiken en wat ze inbrengen
  - name: Mbo-college
    role: public                # public, commercial of other
    own_use_hours: 400
    contributions:
      - name: Jaarlijkse bijdrage
        type: cash              # cash of in_kind (in natura)
        amount: 40000
        indexation: cpi

finance:
  opening_cash: 120000
  minimum_cash: 20000           # minimale kaspositie, bewaakt door de controles
  discount_rate: 0.04           # voor de netto contante waarde (npv)

# Waar u onzeker over bent, voor `finmodel simulate` en `finmodel sensitivity` (die dit
# blok nodig hebben): een parameterpad en een verdeling van de waarde of, met
# `apply: multiply`, van een factor erop.
uncertainty:
  "rental.segments[Andere instellingen].demand_hours":
    {{triangular: [0.5, 1.0, 1.2], apply: multiply}}
  "indexation.wages": {{normal: [0.03, 0.005]}}
"""

#: The starter by language.
STARTERS = {"en": STARTER, "nl": STARTER_NL}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from finmodel.cli._common import add_lang_argument

    parser.add_argument("name", metavar="NAME",
                        help="a name (written as scenarios/NAME.yaml) or a path ending "
                             "in .yaml or .yml")
    parser.add_argument("--start-year", type=int, default=2026, metavar="YEAR",
                        help="first year of the projection (default 2026)")
    add_lang_argument(parser)


def target(name: str) -> Path:
    """Where ``finmodel new NAME`` writes: a ``.yaml`` path as given, else in scenarios/.

    Examples
    --------
    >>> target("lab").as_posix(), target("work/lab.yaml").as_posix()
    ('scenarios/lab.yaml', 'work/lab.yaml')
    """
    path = Path(name)
    if path.suffix in (".yaml", ".yml"):
        return path
    return Path("scenarios") / f"{name}.yaml"


def run(args: argparse.Namespace) -> int:
    from finmodel.cli._common import lang_of
    from finmodel.model.schema import FIRST_YEAR, LAST_YEAR
    from finmodel.views.i18n import t

    lang: Language = lang_of(args)
    path = target(args.name)
    plain = Path(args.name).suffix in (".yaml", ".yml") or (
        args.name and Path(args.name).name == args.name and not args.name.startswith("."))
    if not plain:
        return _refuse(lang, t(lang, "cli.new.plain_name", name=repr(args.name)))
    if not FIRST_YEAR <= args.start_year <= LAST_YEAR - 50:
        return _refuse(lang, t(lang, "cli.new.start_year", first=FIRST_YEAR,
                               last=LAST_YEAR - 50, year=args.start_year))
    # the language of the comments (--lang, else FINMODEL_LANG, else en) is the one the
    # scenario's reports and terminal text speak too
    text = STARTERS[lang].format(name=path.stem, path=path.as_posix(), start=args.start_year,
                                 language=lang)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8") as handle:  # "x": never overwrite
            handle.write(text)
    except FileExistsError:
        return _refuse(lang, t(lang, "cli.new.exists", path=path.as_posix()))
    except OSError as exc:
        from finmodel.views.warning_text import os_reason

        return _refuse(lang, t(lang, "cli.new.cannot_write", path=path.as_posix(),
                               reason=os_reason(lang, exc)))
    print(t(lang, "cli.new.wrote", path=path.as_posix()))
    return 0


def _refuse(lang: Language, message: str) -> int:
    from finmodel.views.i18n import t

    print(t(lang, "cli.new.error", message=message), file=sys.stderr)
    return 2


__all__ = ["STARTER", "STARTERS", "STARTER_NL", "target"]
