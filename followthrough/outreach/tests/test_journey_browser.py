"""The outreach journey in a real browser: build a segment (the count follows the filter),
preview the newsletter as a real contact, send it to a local SMTP server through a real worker
process, watch the progress reach Done, then click a link in a received message and find the
click and the follow-up it planned on the contact's page."""

import re
from typing import Any

from followthrough.outreach import services as outreach_services
from followthrough.outreach.models import Campaign
from followthrough.outreach.tests.conftest import audience
from followthrough.outreach.tests.test_worker_process import worker
from followthrough.people.models import Contact, Tag
from followthrough.playbooks.engine import playbooks_install_defaults
from followthrough.tests.browser import BROWSER, LAPTOP, log_in

pytestmark = BROWSER


def test_the_newsletter_journey(
    live_server: Any,
    transactional_db: Any,
    browser: Any,  # noqa: F811
    alice,
    workspace,
    newsletter,
    smtp_server,
    settings,
    tmp_path,
    monkeypatch,
) -> None:
    settings.BASE_URL = live_server.url
    # The worker process below sends; huey (immediate in tests) must not do it in the request.
    monkeypatch.setattr(outreach_services, "_wake", lambda: None)
    playbooks_install_defaults(workspace=workspace)
    audience(workspace, 12)
    road = Tag.objects.create(workspace=workspace, name="road cycling")
    riders = list(Contact.objects.filter(workspace=workspace).order_by("pk")[:5])
    road.contacts.add(*riders)

    page = browser.new_page(viewport=LAPTOP)
    log_in(page, live_server.url, alice)
    page.click("nav.mainnav >> text=Outreach")
    page.click("text=New segment")
    page.fill("#id_name", "Road riders")
    page.check("input[name=stages][value=client]")
    page.locator("#count-value").filter(has_text="12").wait_for()
    page.fill("#id_tags", "road cycling")
    page.locator("#count-value").filter(has_text="5").wait_for()
    page.click("#segment-form button[type=submit]")
    page.get_by_text("Segment “Road riders” saved.").wait_for()

    page.goto(f"{live_server.url}/outreach/templates/{newsletter.pk}/")
    page.select_option("#preview_contact", str(riders[0].pk))
    page.locator("#preview-subject").filter(has_text=f"Rides for {riders[0].first_name}").wait_for()

    page.goto(f"{live_server.url}/outreach/campaigns/new/")
    page.fill("#id_name", "Winter rides")
    page.select_option("#id_template", str(newsletter.pk))
    page.select_option("#id_segment", label="Road riders")
    page.check("input[name=when][value=now]")
    page.click("#campaign-form button[type=submit]")
    page.locator("#campaign-status").filter(has_text="Sending").wait_for()
    with worker(
        "journey", tmp_path, smtp_server, rate=4.0, batch_size=2, base_url=live_server.url
    ) as process:
        page.locator("#campaign-status").filter(has_text="Done").wait_for(timeout=30_000)
        process.terminate()
    assert page.locator("[data-count=sent]").inner_text() == "5"
    assert sorted(smtp_server.handler.recipients().values()) == [1] * 5
    assert Campaign.objects.get().status == "done"

    received = next(
        r for r in smtp_server.handler.received if r.rcpt == riders[0].emails.get().email
    )
    html = received.message.get_body(("html",)).get_content()
    tracked = re.search(r'href="([^"]+/t/[^"]+)"', html).group(1)
    answer = page.request.get(tracked, max_redirects=0)
    assert answer.status == 302
    assert answer.headers["location"] == "https://shop.example.test/rides?m=12"

    page.goto(f"{live_server.url}/contacts/{riders[0].pk}/")
    page.get_by_text("Clicked “ride calendar” in an email").first.wait_for()
    assert "R0 read “ride calendar”: follow up personally on it" in page.content()
