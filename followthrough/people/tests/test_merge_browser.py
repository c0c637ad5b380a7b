"""Merging duplicates in a real browser: contacts → Duplicates → Compare → pick the other
record's name → Merge → the contact page has both records' history. Screenshots go to
/tmp/ft-shots/ (merge-*.png) for a person to look at."""

from typing import Any

from followthrough.accounts.models import User
from followthrough.activity.services import interaction_log
from followthrough.people.models import Contact
from followthrough.people.services import organization_create
from followthrough.tests.browser import BROWSER, LAPTOP, PHONE, log_in, shot

pytestmark = BROWSER




def test_the_merge_journey(
    live_server: Any,
    transactional_db: Any,
    browser: Any,  # noqa: F811  (the fixture imported above)
    alice: User,
    make_contact: Any,
    workspace: Any,
) -> None:
    acme = organization_create(workspace=workspace, fields={"name": "Acme Cycles"})
    keep = make_contact("John", "Smith", email="john@acme.test", organization=acme)
    other = make_contact(
        "Jon", "Smith", phone="+1 415 555 0102", organization=acme, title="Head mechanic"
    )
    interaction_log(contact=other, by=alice, channel="call", summary="Asked about tubeless")

    page = browser.new_page(viewport=LAPTOP)
    log_in(page, live_server.url, alice)
    page.goto(f"{live_server.url}/contacts/")
    page.click("text=Duplicates")
    page.wait_for_selector("text=Similar names in the same organization")
    shot(page, "merge-review")
    page.click("a.btn:has-text('Compare')")
    page.wait_for_selector("text=Merge two records")
    page.check("input[name=choice_title][value=other]")
    shot(page, "merge-compare")
    page.set_viewport_size(PHONE)
    shot(page, "merge-compare-phone")
    page.set_viewport_size(LAPTOP)
    page.click("text=Merge into John Smith")

    page.wait_for_url(f"{live_server.url}/contacts/{keep.pk}/")
    page.wait_for_selector("text=Asked about tubeless")
    assert page.locator(".message").inner_text().startswith("Merged into John Smith")
    merged = Contact.objects.get()
    assert merged.title == "Head mechanic"
    assert [p.number for p in merged.phones.all()] == ["+14155550102"]
    shot(page, "merge-done")
