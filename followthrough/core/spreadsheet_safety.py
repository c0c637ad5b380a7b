"""Cells that a spreadsheet program would run as a formula (CSV injection, CWE-1236).

A contact named "=HYPERLINK(…)" or a note starting with "+1 (415)…" must open in Excel or
LibreOffice as the text it is, never as a formula. OWASP's rule: a cell that starts with one of
= + - @ tab or carriage return gets a single quote in front; spreadsheet programs hide that quote
and show the text. The quote is part of the exported value, so a re-import strips it again
(`cell_unescape`).
"""

from typing import Final

FORMULA_STARTS: Final = frozenset("=+-@\t\r")


def _looks_escaped_or_formula(value: str) -> bool:
    """A formula start, possibly behind quotes: "=x", "'=x", "''+1"."""
    return value.lstrip("'")[:1] in FORMULA_STARTS


def cell_escape(value: str) -> str:
    """`value` made safe to put in a CSV cell: a leading quote when it could start a formula.
    A value that already looks escaped ("'=x", as someone typed it) gets one more, so that
    cell_unescape gives back exactly what was there."""
    return "'" + value if _looks_escaped_or_formula(value) else value


def cell_unescape(value: str) -> str:
    """The value `cell_escape` was given: drops the one quote it added."""
    if value[:1] == "'" and _looks_escaped_or_formula(value):
        return value[1:]
    return value
