"""The first five minutes, in a real browser: upload a HubSpot export → the columns are
recognized → dry run → import → download the rejected rows → fix and re-import them → the
agenda. Screenshots go to /tmp/ft-shots/ (import-*.png) for a person to look at."""

from pathlib import Path
from typing import Any

from followthrough.accounts.models import User
from followthrough.people.models import Contact
from followthrough.tests.browser import BROWSER, LAPTOP, PHONE, log_in, shot
from followthrough.transfer.tests.conftest import DATA

pytestmark = BROWSER




def test_the_import_journey(
    live_server: Any,
    transactional_db: Any,
    browser: Any,  # noqa: F811  (the fixture imported above)
    alice: User,
    tmp_path: Path,
) -> None:
    page = browser.new_page(viewport=LAPTOP)
    log_in(page, live_server.url, alice)
    page.click("summary[aria-label='Account menu']")
    page.click("text=Import")
    page.set_input_files("input[name=file]", str(DATA / "hubspot.csv"))
    page.click("text=Upload and check the columns")
    assert page.locator("select[name=col_7]").input_value() == "stage"  # Lifecycle Stage
    shot(page, "import-mapping")

    page.click("#dry-run")
    page.wait_for_selector("text=Dry run: nothing is saved yet")
    assert page.locator("#import-counts").inner_text().count("3") >= 1
    assert Contact.objects.count() == 0
    shot(page, "import-dry-run")

    page.click("#import")
    page.wait_for_selector("text=Go to your agenda")
    assert Contact.objects.count() == 3
    with page.expect_download() as download:
        page.click("#rejected-download")
    rejected = tmp_path / "rejected.csv"
    download.value.save_as(rejected)
    text = rejected.read_text(encoding="utf-8-sig")
    assert "unknown stage “Partner”" in text
    shot(page, "import-done")

    fixed = tmp_path / "hubspot-fixed.csv"
    fixed.write_text(text.replace(",Partner,", ",Customer,"), encoding="utf-8")
    page.goto(f"{live_server.url}/import/")
    page.set_input_files("input[name=file]", str(fixed))
    page.click("text=Upload and check the columns")
    page.click("#import")
    page.wait_for_selector("text=Go to your agenda")
    assert Contact.objects.filter(first_name="Taylor", stage="client").exists()

    page.click("text=Go to your agenda")
    page.wait_for_url(f"{live_server.url}/")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/import/")
    assert page.locator("#import-history tbody tr").count() == 2
    shot(page, "import-history-phone")
