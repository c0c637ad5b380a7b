from datetime import UTC, datetime

from followthrough.activity.models import PENDING, FollowUp
from followthrough.events.models import Event

from .conftest import HTMX


def record(client, contact, kind: str, **fields: str):
    data = {f"{kind}-{name}": value for name, value in fields.items()}
    return client.post(f"/contacts/{contact.pk}/record/{kind}/", data, **HTMX)


def pending(contact) -> list[FollowUp]:
    return list(FollowUp.objects.filter(contact=contact, status__in=PENDING).order_by("due_at"))


def timeline(client, contact) -> str:
    return client.get(f"/contacts/{contact.pk}/").content.decode().split('id="timeline"')[1]


def test_the_contact_page_has_the_record_panel(alice_client, contact) -> None:
    body = alice_client.get(f"/contacts/{contact.pk}/").content.decode()

    panel = body.split('class="card record-card"')[1].split("</section>")[0]
    for kind in ("purchase", "service", "invoice", "hold"):
        assert f'action="/contacts/{contact.pk}/record/{kind}/"' in panel
    assert 'name="purchase-on" value="2026-11-23"' in panel  # today, in alice's zone


def test_a_purchase_shows_the_note_in_7_days_and_the_call_in_14(alice_client, contact) -> None:
    response = record(alice_client, contact, "purchase", on="2026-11-23", amount="1899",
                      items="gravel bike, lights")

    assert response.status_code == 200
    body = response.content.decode()
    assert ("Recorded a purchase — planned: handwritten note on Mon 30 Nov, call on Mon 7 Dec"
            in body)
    event = Event.objects.get(contact=contact)
    assert (event.type, event.source) == ("purchase.made", "ui")
    assert event.data == {"items": ["gravel bike", "lights"], "amount": "1899", "currency": "usd"}
    assert [(f.channel, f.due_at) for f in pending(contact)[:2]] == [
        ("note", datetime(2026, 11, 30, 14, tzinfo=UTC)),
        ("call", datetime(2026, 12, 7, 14, tzinfo=UTC)),
    ]
    line = timeline(alice_client, contact)
    assert "Purchase — $1,899 — gravel bike, lights" in line
    assert "Handwritten thank-you note to Dana" in line and "Call Dana" in line
    assert "First purchase · step 2 · from the purchase on 23 Nov" in line


def test_the_agenda_shows_the_note_this_week_and_the_call_later(alice_client, contact) -> None:
    record(alice_client, contact, "purchase", on="2026-11-23", amount="1899")

    agenda = alice_client.get("/").content.decode()

    overdue_and_today, upcoming = agenda.split('id="upcoming"')
    assert "Handwritten thank-you note to Dana" not in overdue_and_today
    assert "Handwritten thank-you note to Dana" in upcoming  # Mon 30 Nov, within the week
    assert "First purchase · step 1 · from the purchase on 23 Nov" in upcoming
    assert "Call Dana" not in agenda  # Mon 7 Dec: two weeks away, on the timeline only
    assert "Call Dana" in timeline(alice_client, contact)


def test_a_purchase_in_the_past_plans_only_what_is_still_ahead(alice_client, contact) -> None:
    body = record(alice_client, contact, "purchase", on="2026-11-13").content.decode()

    # The note (20 Nov) is past; the call falls on 27 Nov.
    assert "planned: call on Fri 27 Nov" in body
    assert Event.objects.get().occurred_at == datetime(2026, 11, 13, 17, tzinfo=UTC)  # noon, NY


def test_it_shows_errors_next_to_the_field_and_records_nothing(alice_client, contact) -> None:
    response = record(alice_client, contact, "purchase", on="2026-11-30", amount="a lot")

    assert response.status_code == 422
    body = response.content.decode()
    assert 'id="rec-purchase" value="purchase" checked' in body
    purchase = body.split('data-kind="purchase"')[1].split('class="rec-panel"')[0]
    assert "Enter a number." in purchase.split('data-field="amount"')[1]
    assert "cannot be in the future" in purchase.split('data-field="on"')[1]
    assert 'value="a lot"' in purchase

    response = record(alice_client, contact, "invoice", invoice_id="SC-0042", amount="450")

    assert 'id="rec-invoice" value="invoice" checked' in response.content.decode()
    invoice = response.content.decode().split('data-kind="invoice"')[1]
    assert "This field is required." in invoice.split('data-field="due_date"')[1][:400]
    assert not Event.objects.exists()


def test_project_on_hold_is_revisited_on_the_day_given(alice_client, contact) -> None:
    body = record(alice_client, contact, "hold", revisit_on="2027-03-01",
                  note="New fleet budget in spring").content.decode()

    assert "Recorded the project on hold — planned:" in body
    followup = pending(contact)[0]
    assert followup.due_at == datetime(2027, 3, 1, 14, tzinfo=UTC)  # 09:00 in New York
    assert followup.purpose == "Revisit with Dana: New fleet budget in spring"
    assert "Project on hold — revisit on 1 Mar 2027 — New fleet budget in spring" in body


def test_it_wants_a_revisit_day_after_today(alice_client, contact) -> None:
    response = record(alice_client, contact, "hold", revisit_on="2026-11-23")

    assert response.status_code == 422
    assert "Pick a day after today" in response.content.decode().split('data-kind="hold"')[1]


def test_an_invoice_paid_late_plans_a_personal_conversation(alice_client, contact) -> None:
    record(alice_client, contact, "invoice", invoice_id="SC-0042", amount="450",
           due_date="2026-11-13")
    page = alice_client.get(f"/contacts/{contact.pk}/").content.decode()
    assert "<strong>SC-0042</strong> · $450 · due 13 Nov 2026" in page

    body = record(alice_client, contact, "paid", invoice_id="SC-0042",
                  on="2026-11-23").content.decode()

    assert "Recorded the payment of invoice SC-0042 — planned: call on Tue 24 Nov" in body
    assert "Invoice SC-0042 paid 10 days late" in body
    assert "Invoice SC-0042 issued — $450 — due 13 Nov" in body
    assert "<strong>SC-0042</strong>" not in body  # no longer open
    assert "paid 10 days late" in pending(contact)[0].purpose


def test_a_service_visit_plans_a_check(alice_client, contact) -> None:
    body = record(alice_client, contact, "service", on="2026-11-23",
                  note="Tune-up, new chain").content.decode()

    assert "Service visit — Tune-up, new chain" in body
    assert "Check the service went well for Dana" in body


def test_without_javascript_it_comes_back_with_the_message(alice_client, contact) -> None:
    response = alice_client.post(f"/contacts/{contact.pk}/record/purchase/",
                                 {"purchase-on": "2026-11-23", "purchase-amount": "25"})

    assert response.status_code == 302 and response.url == f"/contacts/{contact.pk}/"
    assert "Recorded a purchase — planned" in alice_client.get(response.url).content.decode()


def test_it_answers_an_unknown_kind_with_404(alice_client, contact) -> None:
    assert record(alice_client, contact, "refund", amount="10").status_code == 404
