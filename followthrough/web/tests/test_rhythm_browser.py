"""Rhythm and value in a real browser: a bike shop's book with two years of purchases → the
reports page draws its charts → the at-risk list names who is drifting and one click plans the
call → the contact page shows their rhythm. Also the purchase import's report and a
playbook's lift card. Screenshots at laptop and phone sizes go to /tmp/ft-shots/ (see
followthrough/tests/test_journey.py) for a person to look at."""

import re
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from django.utils import timezone

from followthrough.accounts.models import User
from followthrough.activity.models import FollowUp, Origin
from followthrough.activity.services import (
    followup_complete,
    followup_create,
    followup_skip,
    interaction_log,
)
from followthrough.core.rhythm import simulate_bgnbd
from followthrough.events.models import Event
from followthrough.insight.selectors import local_today
from followthrough.insight.services import insight_refresh
from followthrough.insight.tests.conftest import TRUE_MODEL, purchase, synthetic_days
from followthrough.people.models import Contact
from followthrough.people.services import contact_create
from followthrough.playbooks.models import Playbook
from followthrough.tests.browser import BROWSER, LAPTOP, PHONE, SHOTS, log_in
from followthrough.web.tests.test_lift import experiment

pytestmark = BROWSER

FIRST = ["Ava", "Ben", "Cleo", "Dev", "Emma", "Finn", "Gus", "Hana", "Ivan", "Jade", "Kai",
         "Lena", "Milo", "Nora", "Omar", "Pia", "Quinn", "Rosa", "Sami", "Tess", "Uma", "Vic",
         "Wes", "Xena", "Yuri", "Zoe"]
LAST = ["Alvarez", "Brooks", "Chen", "Dubois", "Evans", "Fischer", "Garcia", "Hughes", "Ito",
        "Jensen", "Kowalski", "Larsen", "Moreau", "Nakamura", "Okafor", "Patel"]
# What a customer usually spends a visit: parts, kit, a service, a wheelset, a bike.
HABITS = [25, 35, 60, 90, 120, 300, 650, 1400]


@pytest.fixture
def frozen() -> Iterator[None]:
    # The live server and the browser need a clock that moves: no frozen time here.
    yield None


def _customer(alice: User, name: tuple[str, str], **fields: Any) -> Contact:
    return contact_create(workspace=alice.workspace, by=alice,
                          fields={"first_name": name[0], "last_name": name[1], "stage": "client",
                                  **fields}, emails=[f"{name[0].lower()}@example.com"])


def _purchases(alice: User, rng: np.random.Generator) -> Contact:
    """200 named customers whose purchases are drawn from the BG/NBD model (so it fits, as it
    would on a real shop's two years), each spending around a habit of their own; returns
    Dana, a club rider who bought every month and has been silent for two and a half."""
    workspace, events = alice.workspace, []
    today = local_today(workspace, timezone.now())
    dana = _customer(alice, ("Dana", "Rider"), tier="gold")
    for days_ago in (255, 226, 193, 165, 137, 104, 76):
        events.append(purchase(workspace, dana.pk, today - timedelta(days=days_ago), 180))
    age = rng.integers(60, 720, 200).astype(float)
    x, t_x = simulate_bgnbd(*TRUE_MODEL, age, rng=rng, time_resolution=1.0)
    for i, days in enumerate(synthetic_days(x, t_x, age, rng)):
        name = (FIRST[i % len(FIRST)], LAST[(i * 7 + i // len(FIRST)) % len(LAST)])
        person = _customer(alice, name, influence=i == 7)
        habit = HABITS[int(rng.integers(len(HABITS)))]
        events += [purchase(workspace, person.pk, today - timedelta(days=d),
                            f"{max(5.0, rng.normal(habit, habit * 0.25)):.2f}") for d in days]
    Event.objects.bulk_create(events)
    return dana


def _touches(alice: User, rng: np.random.Generator) -> None:
    """Logged costs (gifts for good customers, a trade show for leads) and follow-ups closed
    on several channels, for the spend and follow-up charts."""
    now = timezone.now()
    customers = list(Contact.objects.filter(workspace=alice.workspace, stage="client")[:40])
    for i, person in enumerate(customers):
        when = now - timedelta(days=int(rng.integers(5, 700)))
        interaction_log(contact=person, by=alice, channel="gift" if i % 3 else "note",
                        summary="A thank-you", cost=Decimal(int(rng.integers(8, 60))),
                        occurred_at=when)
        channel = ("call", "email", "note", "text")[i % 4]
        followup = followup_create(contact=person, by=alice, purpose=f"Check in {i}",
                                   channel=channel, now=now - timedelta(days=60))
        if i % 5 == 4:
            followup_skip(followup=followup, by=alice, reason="Away", now=now - timedelta(days=30))
        else:
            followup_complete(followup=followup, by=alice, now=now - timedelta(days=30 - i % 9))
    for i in range(8):
        lead = contact_create(workspace=alice.workspace, by=alice, fields={
            "first_name": FIRST[-i - 1], "last_name": "Lead", "stage": "lead"})
        interaction_log(contact=lead, by=alice, channel="event", summary="Met at the bike expo",
                        cost=Decimal(75), occurred_at=now - timedelta(days=30 + 90 * (i % 6)))


@pytest.fixture
def book(alice: User) -> Contact:
    rng = np.random.default_rng(7)
    dana = _purchases(alice, rng)
    _touches(alice, rng)
    insight_refresh(workspace=alice.workspace, now=timezone.now())
    return dana


def _shot(page: Any, name: str, height: int | None = None) -> None:
    """The whole page, or its top `height` pixels (a long list on a phone)."""
    page.evaluate("window.scrollTo(0, 0)")
    clip = {"x": 0, "y": 0, "width": page.viewport_size["width"], "height": height}
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True,
                    clip=clip if height else None)


def test_reports_at_risk_and_the_rhythm_card(
    live_server: Any, transactional_db: Any, browser: Any, alice: User, book: Contact  # noqa: F811
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport=LAPTOP)
    log_in(page, live_server.url, alice)

    page.goto(f"{live_server.url}/reports/")
    assert page.locator("section.chart-card svg").count() == 4
    assert page.locator("#tiers svg").bounding_box()["width"] > 600
    _shot(page, "reports-laptop")
    page.set_viewport_size(PHONE)
    _shot(page, "reports-phone")
    page.locator("#tiers").screenshot(path=str(SHOTS / "reports-tiers-phone.png"))

    page.goto(f"{live_server.url}/at-risk/")
    _shot(page, "at-risk-phone", height=1600)
    page.set_viewport_size(LAPTOP)
    _shot(page, "at-risk-laptop")
    row = page.locator("tr", has_text="Dana Rider")
    assert row.get_by_text("usually buys every").is_visible()
    row.get_by_role("button", name="Plan a call").click()
    row.get_by_text("Planned for").wait_for()
    assert FollowUp.objects.get(contact=book, origin=Origin.RHYTHM).channel == "call"

    page.goto(f"{live_server.url}/contacts/{book.pk}/")
    assert page.locator("#rhythm svg").is_visible()
    assert page.locator("#rhythm dd", has_text=re.compile(r"^every 28 days$")).is_visible()
    _shot(page, "contact-rhythm-laptop")
    page.set_viewport_size(PHONE)
    _shot(page, "contact-rhythm-phone", height=2400)
    page.goto(f"{live_server.url}/settings/tiers/")
    _shot(page, "tier-plans-phone")
    page.set_viewport_size(LAPTOP)
    _shot(page, "tier-plans-laptop")


def test_the_import_report_and_the_lift_card(
    live_server: Any, transactional_db: Any, browser: Any, alice: User, tmp_path: Any,  # noqa: F811
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    playbook = Playbook.objects.get(workspace=alice.workspace, key="first-purchase")
    Playbook.objects.filter(pk=playbook.pk).update(holdout_percent=20)
    experiment(alice.workspace, playbook, treated=240, held_out=60, bought=(84, 12))
    orders = tmp_path / "orders.csv"
    orders.write_text("date,email,amount\n2026-03-14,dana@example.com,1899.00\n"
                      "2026-13-01,dana@example.com,10\n2026-06-02,eli@,abc\n", encoding="utf-8")
    page = browser.new_page(viewport=LAPTOP)
    log_in(page, live_server.url, alice)

    page.goto(f"{live_server.url}/import/purchases/")
    page.set_input_files("#id_file", str(orders))
    page.get_by_role("button", name="Dry run").click()
    page.locator("#report").get_by_text("nothing was saved").wait_for()
    assert page.locator("#rejected-download").is_visible()
    _shot(page, "import-laptop")
    page.set_viewport_size(PHONE)
    _shot(page, "import-phone")

    page.goto(f"{live_server.url}/playbooks/{playbook.pk}/")
    page.locator("#lift").get_by_role("link", name="60 days").click()
    page.locator("#lift").get_by_text("Bought again within 60 days").wait_for()
    page.locator("#lift").screenshot(path=str(SHOTS / "lift-phone.png"))
    page.set_viewport_size(LAPTOP)
    page.locator("#lift").screenshot(path=str(SHOTS / "lift-laptop.png"))
