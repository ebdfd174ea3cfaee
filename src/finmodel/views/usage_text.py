"""argparse's own usage errors said in the reader's language.

argparse writes its messages in English before any scenario is read. The English
catalogue holds them as argparse writes them (``cli.argparse.*``, with the values as
placeholders); a message that matches one is said again from the catalogue of ``lang``,
with its values (options, what was typed, the allowed choices) as typed. A message no
template matches stays as argparse wrote it.

Examples
--------
>>> usage_message("nl", "argument --format: invalid choice: 'x' (choose from 'table', 'json')")
"argument --format: ongeldige keuze 'x' (kies uit 'table', 'json')"
>>> usage_message("en", "unrecognized arguments: --bogus")
'unrecognized arguments: --bogus'
"""

from __future__ import annotations

import re
import string
from functools import cache

from finmodel.views.i18n import CATALOGUES, Language, t

__all__ = ["usage_message"]

_PREFIX = "cli.argparse."


@cache
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Each English template as a pattern over the whole message, its values as groups."""
    out = []
    for key, template in CATALOGUES["en"].items():
        if not key.startswith(_PREFIX):
            continue
        regex = "".join(re.escape(literal) + (f"(?P<{name}>.+?)" if name else "")
                        for literal, name, _, _ in string.Formatter().parse(template))
        out.append((key, re.compile(regex + r"\Z", re.DOTALL)))
    return tuple(out)


def usage_message(lang: Language, message: str) -> str:
    """argparse's ``message`` in ``lang`` (as written in English)."""
    if lang == "en":
        return message
    for key, pattern in _patterns():
        match = pattern.match(message)
        if match:
            return t(lang, key, **match.groupdict())
    return message
