"""Data out in a real browser: the account menu's Export and data page, a CSV download of the
filtered contact list, and erasing a person after typing their name. Screenshots go to
/tmp/ft-shots/ (data-*.png)."""

import csv
from pathlib import Path
from typing import Any

from followthrough.accounts.models import User
from followthrough.outreach.models import Suppression, address_digest
from followthrough.people.models import Contact
from followthrough.tests.browser import BROWSER, LAPTOP, log_in, shot

pytestmark = BROWSER




def test_the_data_out_journey(
    live_server: Any,
    transactional_db: Any,
    browser: Any,  # noqa: F811  (the fixture imported above)
    alice: User,
    make_contact: Any,
    tmp_path: Path,
) -> None:
    dana = make_contact("Dana", "Rider", email="dana@example.com", stage="client")
    make_contact("Lee", "Lead", stage="lead")

    page = browser.new_page(viewport=LAPTOP, accept_downloads=True)
    log_in(page, live_server.url, alice)
    page.click("summary[aria-label='Account menu']")
    page.click("text=Export and data")
    page.wait_for_selector("text=The whole workspace")
    shot(page, "data-page")

    page.goto(f"{live_server.url}/contacts/?stage=client")
    page.click("summary:has-text('Export')")
    with page.expect_download() as download:
        page.click(".export-menu >> text=CSV")
    saved = tmp_path / "contacts.csv"
    download.value.save_as(saved)
    with saved.open(encoding="utf-8-sig") as file:
        assert [row["First name"] for row in csv.DictReader(file)] == ["Dana"]

    page.goto(f"{live_server.url}/contacts/{dana.pk}/")
    page.click("summary:has-text('More')")
    page.click(".more-menu >> text=Erase")
    page.fill("input[name=confirm_name]", "Dana")
    page.click("text=Erase everything about Dana Rider")
    page.wait_for_selector("text=Type the name exactly as shown")
    shot(page, "data-erase-confirm")
    page.fill("input[name=confirm_name]", "Dana Rider")
    page.click("text=Erase everything about Dana Rider")
    page.wait_for_url(f"{live_server.url}/contacts/")
    assert not Contact.objects.filter(pk=dana.pk).exists()
    assert Suppression.objects.filter(digest=address_digest("dana@example.com")).exists()
