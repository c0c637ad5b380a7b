"""The CSV formula-injection rule (core.spreadsheet_safety), as properties."""

from hypothesis import example, given
from hypothesis import strategies as st

from followthrough.core.spreadsheet_safety import FORMULA_STARTS, cell_escape, cell_unescape

dangerous = st.builds(
    lambda first, rest: first + rest, st.sampled_from(sorted(FORMULA_STARTS)), st.text()
)


@given(st.text())
def test_it_never_leaves_a_cell_that_starts_a_formula(value: str) -> None:
    assert cell_escape(value)[:1] not in FORMULA_STARTS


@given(dangerous)
def test_it_puts_one_quote_before_a_formula_and_keeps_the_rest(value: str) -> None:
    assert cell_escape(value) == "'" + value


@given(st.text().filter(lambda v: v.lstrip("'")[:1] not in FORMULA_STARTS))
@example("'quoted")
@example("")
def test_it_leaves_harmless_cells_alone(value: str) -> None:
    assert cell_escape(value) == value


@given(st.text())
@example("'=")  # found by Hypothesis: a cell that already looks escaped
@example("''+1")
def test_it_reads_back_what_it_escaped(value: str) -> None:
    assert cell_unescape(cell_escape(value)) == value
