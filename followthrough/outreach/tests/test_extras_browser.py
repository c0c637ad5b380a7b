"""In a real browser: share an article with the people who care about its topic (the follow-ups
land on the agenda), write a personal email from the contact page (delivered to a real SMTP
server and shown on the timeline), and open the print queue. Screenshots go to /tmp/ft-shots/."""

# Fixtures are imported from extras_fixtures (a conftest here would be shared with other work),
# so their parameters shadow the imported names.
# ruff: noqa: F811

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from followthrough.accounts.models import User
from followthrough.activity.models import FollowUp
from followthrough.activity.services import followup_create
from followthrough.outreach.tests.extras_fixtures import SmtpSink, smtp_sink  # noqa: F401
from followthrough.people.models import Contact
from followthrough.tests.browser import BROWSER, LAPTOP, SHOTS, log_in

pytestmark = BROWSER


@pytest.fixture
def riders(make_contact: Any, alice: User) -> dict[str, Contact]:
    long_ago = timezone.now() - timedelta(days=120)
    eli = make_contact("Eli", "Gravel", email="eli@example.com", tier="silver", tags=("gravel",))
    zoe = make_contact("Zoe", "Tourer", email="zoe@example.com", tags=("touring",))
    Contact.objects.filter(pk=eli.pk).update(last_touched_at=long_ago)
    card = make_contact("Ada", "Card", street="1 Main St", city="Boston", country="US")
    # Due yesterday, so it is in the queue whatever the hour the suite runs at (a card planned
    # now for "the next slot" would be tomorrow's after business hours in New York).
    birthday = followup_create(
        contact=card, by=alice, purpose="Birthday card for Ada", channel="card"
    )
    FollowUp.objects.filter(pk=birthday.pk).update(due_at=timezone.now() - timedelta(days=1))
    return {"eli": eli, "zoe": zoe}


def test_the_share_email_and_print_journey(
    live_server: Any,
    transactional_db: Any,
    browser: Any,
    alice: User,
    riders: dict[str, Contact],
    smtp_sink: SmtpSink,
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport=LAPTOP)
    log_in(page, live_server.url, alice)

    page.goto(f"{live_server.url}/share/")
    page.fill("input[name=url]", "https://bikes.example/gravel-tyres")
    page.fill("input[name=topics]", "gravel, winter")
    page.click("text=Find people")
    rows = page.locator("#share-candidates tbody tr")
    assert rows.count() == 1 and "Eli Gravel" in rows.first.inner_text()
    page.check(f"#share-{riders['eli'].pk}")
    page.screenshot(path=str(SHOTS / "share.png"), full_page=True)
    page.click("text=Plan a personal follow-up for each")
    assert "1 follow-up planned" in page.locator("#share-outcome").inner_text()
    assert FollowUp.objects.filter(
        contact=riders["eli"], purpose__startswith="Share https://bikes.example/gravel-tyres"
    ).exists()

    page.goto(f"{live_server.url}/contacts/{riders['zoe'].pk}/")
    page.click("a:has-text('Email')")
    page.fill("input[name=subject]", "Touring route")
    page.fill("textarea[name=body]", "Hi Zoe, here is the route I mentioned.")
    page.screenshot(path=str(SHOTS / "personal-email.png"), full_page=True)
    page.click("text=Send and log")
    page.wait_for_url(f"{live_server.url}/contacts/{riders['zoe'].pk}/")
    assert "Email sent to Zoe Tourer and logged." in page.content()
    assert "Touring route" in page.content()
    assert [m["Subject"] for m in smtp_sink.messages] == ["Touring route"]

    page.goto(f"{live_server.url}/print/")
    assert "Birthday card for Ada" in page.locator("#print-queue").inner_text()
    page.screenshot(path=str(SHOTS / "print-queue.png"), full_page=True)
    response = page.request.get(f"{live_server.url}/print/labels.pdf")
    assert response.ok and response.body().startswith(b"%PDF-")
