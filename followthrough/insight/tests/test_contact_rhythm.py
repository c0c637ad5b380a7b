"""The contact page's rhythm: their purchases, their own interval, the next one due, and the
chart drawn from it."""

import xml.etree.ElementTree as ET
from datetime import date

from followthrough.conftest import NOW
from followthrough.insight.charts import rhythm_chart
from followthrough.insight.selectors import contact_rhythm, rhythm_fit_get
from followthrough.insight.services import rhythm_refresh
from followthrough.insight.tests.conftest import TODAY
from followthrough.people.models import Contact


def test_a_contacts_rhythm_and_its_chart(workspace, contact, buy) -> None:
    buy(contact, 100, 70, 40, amount="30.00")

    rhythm = contact_rhythm(contact=contact, now=NOW)

    assert [day for day, _ in rhythm.purchases] == [
        date(2026, 8, 15),
        date(2026, 9, 14),
        date(2026, 10, 14),
    ]
    assert rhythm.rhythm.typical_interval_days == 30 and rhythm.rhythm.days_since_last == 40
    assert rhythm.expected_next == date(2026, 11, 13)
    assert rhythm.p_alive is None and rhythm.score is None  # nothing computed yet
    svg = rhythm_chart(
        purchases=rhythm.purchases,
        today=TODAY,
        typical_days=rhythm.rhythm.typical_interval_days,
        expected_next=rhythm.expected_next,
        money_prefix="$",
    )
    bars = [
        e
        for e in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}rect")  # noqa: S314
        if e.get("class") == "bar"
    ]
    assert len(bars) == 3


def test_with_a_fitted_model_it_says_how_likely_they_are_still_active(workspace, fitted) -> None:
    regular = Contact.objects.get(pk=fitted["regular"])
    rhythm = contact_rhythm(contact=regular, now=NOW)
    assert 0 < rhythm.p_alive < 1 and rhythm.score.purchase_days == 5
    fit = rhythm_fit_get(workspace=workspace)
    assert fit.summary == (
        f"Rhythm model fitted on 306 customers ({fit.repeat_customers} bought more than once)."
    )


def test_no_purchases_no_rhythm(workspace, contact) -> None:
    rhythm = contact_rhythm(contact=contact, now=NOW)
    assert rhythm.purchases == [] and rhythm.rhythm is None and rhythm.expected_next is None


def test_the_fit_says_why_there_is_no_model(workspace, contact, buy) -> None:
    assert rhythm_fit_get(workspace=workspace) is None
    rhythm_refresh(workspace=workspace, now=NOW)
    assert rhythm_fit_get(workspace=workspace).summary == (
        "No purchases yet: rhythm and value start with the first purchase."
    )
    buy(contact, 10)
    rhythm_refresh(workspace=workspace, now=NOW)
    assert rhythm_fit_get(workspace=workspace).summary.startswith(
        "Too few customers to fit the rhythm model (BG/NBD needs at least 20 customers"
    )
