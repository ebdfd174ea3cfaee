"""Loans on the calculation sheet (contract v1.1, section 9), one block of rows per loan.

A loan is a corkscrew: balance at the start of the year = debt at the end of the year
before + principal drawn; interest = rate x that balance; after the grace years the
principal is repaid over ``term`` years (linear: amount / term; annuity: the constant
payment minus the year's interest), the last instalment repaying what is left; debt at
year end = balance at the start - principal repaid. Loans are nominal (never indexed).
Without loans the totals are 0, so the output sheets read the same rows either way.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from finmodel.views.workbook.calculation import CalcRows

__all__ = ["LOAN_LINES", "write_loans"]

#: Calculation rows (totals) that the output sheets link to.
LOAN_LINES = ("loan_received", "interest", "repayment", "debt")


def write_loans(c: CalcRows) -> None:
    """Add the loans block and its totals (0 without loans) to the calculation sheet."""
    c.grid.section(c.w("wb.calc.loans"))
    keys: dict[str, list[str]] = {line: [] for line in LOAN_LINES}
    for loan in getattr(c.scenario.finance, "loans", ()):
        for line, key in _loan(c, loan).items():
            keys[line].append(key)
    c.total("loan_received", c.w("wb.c.loans_drawn"), "eur", keys["loan_received"])
    c.total("interest", c.w("wb.c.interest"), "eur", keys["interest"])
    c.total("repayment", c.w("wb.c.repaid"), "eur", keys["repayment"])
    c.total("debt", c.w("wb.c.debt"), "eur", keys["debt"])


def _values(loan: Any, c: CalcRows) -> dict[str, np.ndarray]:
    """The engine's arithmetic for one loan, year by year (the cached results)."""
    years = c.scenario.years
    amount, rate, term, grace = loan.amount, loan.rate, loan.term, loan.grace_years
    payment = amount * rate / (1 - (1 + rate) ** -term) if rate > 0 else amount / term
    out = {k: np.zeros(len(years)) for k in ("drawn", "opening", "interest", "k", "repaying",
                                             "scheduled", "repayment", "debt")}
    balance = 0.0
    for t, year in enumerate(years):
        drawn = amount if year == loan.year else 0.0
        opening = balance + drawn
        interest = rate * opening
        k = year - loan.year - grace
        scheduled = payment - interest if loan.repayment == "annuity" else amount / term
        repaying = 0 <= k < term
        principal = (opening if k == term - 1 else min(scheduled, opening)) if repaying else 0.0
        balance = opening - principal
        for key, value in (("drawn", drawn), ("opening", opening), ("interest", interest),
                           ("k", k), ("repaying", repaying), ("scheduled", scheduled),
                           ("repayment", principal), ("debt", balance)):
            out[key][t] = value
    return out


def _loan(c: CalcRows, loan: Any) -> dict[str, str]:
    name, p = loan.name, f"finance.loans[{loan.name}]"
    amount, year, rate, term, grace = (c.inputs.value(f"{p}.{k}") for k in
                                       ("amount", "year", "rate", "term", "grace_years"))
    v, now = _values(loan, c), c.at("year")
    drawn = c.add(f"loan_received[{name}]", c.w("wb.c.l_drawn", name=name), "eur",
                  f"{amount}*({now}={year})", v["drawn"])
    debt_row = c.next_row() + 6  # the debt row closes this block (read from the year before)
    opening = c.add(f"loan_balance_start[{name}]", c.w("wb.c.l_start", name=name), "eur",
                    f"{{p}}${debt_row}+{c.at(drawn)}", v["opening"])
    interest = c.add(f"interest[{name}]", c.w("wb.c.l_interest", name=name), "eur",
                     f"{rate}*{c.at(opening)}", v["interest"])
    k = c.add(f"instalment[{name}]", c.w("wb.c.l_k", name=name),
              "years", f"{now}-{year}-{grace}", v["k"], "int")
    kk = c.at(k)
    repaying = c.add(f"repaying[{name}]", c.w("wb.c.l_repaying", name=name), "flag01",
                     f"({kk}>=0)*({kk}<{term})", v["repaying"], "int")
    if loan.repayment == "annuity":
        template = (f"IF({rate}>0,{amount}*{rate}/(1-(1+{rate})^-{term}),{amount}/{term})"
                    f"-{c.at(interest)}")
        label = c.w("wb.c.l_annuity", name=name)
    else:
        template, label = f"{amount}/{term}", c.w("wb.c.l_linear", name=name)
    scheduled = c.add(f"scheduled_repayment[{name}]", label, "eur", template, v["scheduled"])
    repayment = c.add(f"repayment[{name}]", c.w("wb.c.l_repayment", name=name), "eur",
                      f"{c.at(repaying)}*(({kk}={term}-1)*{c.at(opening)}+({kk}<>{term}-1)"
                      f"*MIN({c.at(scheduled)},{c.at(opening)}))", v["repayment"])
    debt = c.add(f"debt[{name}]", c.w("wb.c.l_debt", name=name), "eur",
                 f"{c.at(opening)}-{c.at(repayment)}", v["debt"])
    assert c.rows[debt] == debt_row
    return {"loan_received": drawn, "interest": interest, "repayment": repayment, "debt": debt}
