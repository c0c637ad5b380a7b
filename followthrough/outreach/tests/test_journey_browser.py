"""The outreach journey of issue 5 in a real browser, from the demo shop: build a segment (the
count follows the filter), preview the demo's newsletter as a real contact, send it to a local
SMTP server through a real worker process and watch the progress move, click a link in a
received message and find the click and the follow-up it planned on the contact's page; then
unsubscribe one reader with the one-click POST of their message's List-Unsubscribe header and
see the next campaign, already snapshotted, skip them."""

import re
from typing import Any
from urllib.parse import urlparse

from django.utils import timezone

from followthrough.demo.services import DEMO_OWNER_EMAIL, DEMO_PASSWORD, demo_workspace_create
from followthrough.outreach import services as outreach_services
from followthrough.outreach.models import Campaign, EmailTemplate, OutboxMessage
from followthrough.outreach.segments import segment_contacts
from followthrough.outreach.tests.conftest import Received
from followthrough.outreach.tests.test_worker_process import worker
from followthrough.tests.browser import BROWSER, LAPTOP

pytestmark = BROWSER

SHOP = "https://spokechain.example"


def _log_in_as_demo_owner(page: Any, base: str) -> None:
    page.goto(f"{base}/")
    page.fill("input[name=email]", DEMO_OWNER_EMAIL)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def _count(page: Any, name: str) -> int:
    return int(page.locator(f"[data-count={name}]").inner_text())


def _send_campaign(page: Any, base: str, name: str) -> None:
    page.goto(f"{base}/outreach/campaigns/new/")
    page.fill("#id_name", name)
    page.select_option("#id_template", label="Winter newsletter")
    page.select_option("#id_segment", label="Road riders")
    page.check("input[name=when][value=now]")
    page.click("#campaign-form button[type=submit]")
    page.locator("#campaign-status").filter(has_text="Sending").wait_for()


def test_the_newsletter_journey_from_the_demo(
    live_server: Any,
    transactional_db: Any,
    browser: Any,
    smtp_server: Any,
    settings: Any,
    tmp_path: Any,
    monkeypatch: Any,
) -> None:
    settings.BASE_URL = live_server.url
    # The worker process below sends; huey (immediate in tests) must not do it in the request.
    monkeypatch.setattr(outreach_services, "_wake", lambda: None)
    demo = demo_workspace_create(contacts=200, seed=1, now=timezone.now())
    base = live_server.url

    page = browser.new_page(viewport=LAPTOP)
    page.route(f"{SHOP}/**", lambda route: route.fulfill(body="<h1>Winter rides</h1>"))
    _log_in_as_demo_owner(page, base)

    # A segment: clients into road cycling; the count follows each change of the filter.
    clients = segment_contacts(
        workspace=demo.workspace, filters={"stages": ["client"]}, now=timezone.now()
    ).count()
    riders = segment_contacts(
        workspace=demo.workspace,
        filters={"stages": ["client"], "tags": ["road cycling"]},
        now=timezone.now(),
    ).count()
    assert riders >= 8 and clients > riders
    page.click("nav.mainnav >> text=Outreach")
    page.click("text=New segment")
    page.fill("#id_name", "Road riders")
    page.check("input[name=stages][value=client]")
    page.locator("#count-value").filter(has_text=str(clients)).wait_for()
    page.fill("#id_tags", "road cycling")
    page.locator("#count-value").filter(has_text=str(riders)).wait_for()
    page.click("#segment-form button[type=submit]")
    page.get_by_text("Segment “Road riders” saved.").wait_for()

    # The demo's newsletter, previewed as one of the riders.
    newsletter = EmailTemplate.objects.get(workspace=demo.workspace, name="Winter newsletter")
    page.goto(f"{base}/outreach/templates/{newsletter.pk}/")
    option = page.locator("#preview_contact option").nth(1)
    preview_name = option.inner_text().split(" ")[0]
    page.select_option("#preview_contact", option.get_attribute("value"))
    page.locator("#preview-subject").filter(
        has_text=f"{preview_name}, the winter ride calendar is out"
    ).wait_for()

    # Send it; at 2 messages a second the page shows the count climbing, then Done.
    _send_campaign(page, base, "Winter rides")
    audience = _count(page, "audience")
    assert audience == riders
    with worker("journey", tmp_path, smtp_server, rate=2.0, batch_size=1, base_url=base):
        page.wait_for_function(
            "() => { const n = +document.querySelector('[data-count=sent]').innerText;"
            f" return n > 0 && n < {audience}; }}",
            timeout=30_000,
        )
        page.locator("#campaign-status").filter(has_text="Done").wait_for(timeout=60_000)
    sent = _count(page, "sent")
    assert (
        sent + _count(page, "suppressed") + _count(page, "skipped") + _count(page, "failed")
        == audience
    )
    received: list[Received] = list(smtp_server.handler.received)
    assert len(received) == sent and len({r.rcpt for r in received}) == sent

    # A reader clicks the ride calendar in the message as their mail program shows it.
    reader = received[0]
    html = reader.message.get_body(("html",)).get_content()
    page.set_content(html)
    page.click("text=winter group-ride calendar")
    page.wait_for_url(f"{SHOP}/rides**")
    assert page.locator("h1").inner_text() == "Winter rides"
    message = OutboxMessage.objects.get(workspace=demo.workspace, email=reader.rcpt)
    page.goto(f"{base}/contacts/{message.contact_id}/")
    page.get_by_text("Clicked “winter group-ride calendar” in an email").first.wait_for()
    assert "read “winter group-ride calendar”: follow up personally on it" in page.content()

    # Another reader unsubscribes with one click, as a mail program does: a POST with no cookie.
    leaver = received[1]
    header = str(leaver.message["List-Unsubscribe"])
    assert leaver.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    one_click = re.search(r"<(http[^>]+/u/[^>]+)>", header).group(1)
    assert urlparse(one_click).netloc == urlparse(base).netloc

    # The next campaign is snapshotted before the unsubscribe arrives and still skips them.
    _send_campaign(page, base, "Winter rides, part two")
    assert _count(page, "queued") == audience - _count(page, "skipped")
    mail_program = browser.new_context()
    answer = mail_program.request.post(
        one_click,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        data="List-Unsubscribe=One-Click",
        max_redirects=0,
    )
    assert answer.status == 200
    mail_program.close()
    before = len(smtp_server.handler.received)
    with worker("journey-2", tmp_path, smtp_server, rate=50.0, base_url=base):
        page.locator("#campaign-status").filter(has_text="Done").wait_for(timeout=60_000)
    second = [r.rcpt for r in smtp_server.handler.received[before:]]
    assert second and leaver.rcpt not in second
    part_two = Campaign.objects.get(workspace=demo.workspace, name="Winter rides, part two")
    row = OutboxMessage.objects.get(campaign=part_two, email=leaver.rcpt)
    assert (row.status, row.skip_reason) == ("suppressed", "unsubscribed")
    assert _count(page, "sent") == len(second) and _count(page, "suppressed") >= 1
