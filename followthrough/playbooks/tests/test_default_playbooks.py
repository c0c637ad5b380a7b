"""Each default playbook, from the event to the follow-ups it plans (dates in New York, the
workspace's zone; NOW is Monday 23 November 2026, 09:00 there)."""

from datetime import UTC, datetime, timedelta

import pytest

from followthrough.conftest import NOW
from followthrough.playbooks.tests.conftest import pending

pytestmark = pytest.mark.usefixtures("defaults")


def local_days(followups) -> list[str]:
    return [f.due_at.astimezone(NOW.tzinfo).date().isoformat() for f in followups]


def ny(day: str, hour: int = 9) -> datetime:
    """`day` at `hour`:00 New York time (EST, UTC-5, all November)."""
    return datetime.fromisoformat(day).replace(hour=hour + 5, tzinfo=UTC)


def test_first_purchase_note_in_a_week_and_call_in_two(happen, contact) -> None:
    happen("purchase.made", contact, amount="1899", item="gravel bike")
    followups = pending(contact)
    assert [(f.channel, f.due_at) for f in followups[:2]] == [
        ("note", ny("2026-11-30")),
        ("call", ny("2026-12-07")),
    ]
    assert "Handwritten thank-you note to Dana" in followups[0].purpose
    assert len(followups) == 4  # + 3-month check-in and the review / referral ask
    assert all(f.origin == "playbook" and f.event is not None for f in followups)
    assert followups[0].run.playbook.key == "first-purchase" and followups[1].step_index == 1


def test_first_purchase_respects_a_contact_who_refuses_calls(happen, contact) -> None:
    contact.pref_phone = "refused"
    contact.pref_text = "preferred"
    contact.save()
    happen("purchase.made", contact, amount="1899")
    assert [f.channel for f in pending(contact)[:2]] == ["note", "text"]


def test_repeat_purchase_thanks_them_and_not_as_a_first(happen, contact) -> None:
    happen("purchase.made", contact, at=NOW - timedelta(days=60), amount="50")
    happen("purchase.made", contact, amount="80")
    purposes = [f.purpose for f in pending(contact)]
    assert "Thank Dana for coming back (purchase 2)" in purposes


def test_new_lead_same_business_day_then_nurture(happen, make_contact) -> None:
    lead = make_contact("Lou", "Lead", stage="lead")
    saturday = datetime(2026, 11, 28, 16, 0, tzinfo=UTC)
    happen("lead.created", lead, at=saturday, now=saturday, channel="web_form")
    followups = pending(lead)
    # Same business day for a Saturday lead is Monday; the nurture steps fall 91 and 182 days
    # after the lead, on Saturdays 27 February and 29 May 2027, so they move to the Mondays.
    assert local_days(followups) == ["2026-11-30", "2027-03-01", "2027-05-31"]
    assert followups[0].purpose.startswith("Welcome Lou")


def test_a_purchase_stops_the_lead_nurture(happen, make_contact) -> None:
    lead = make_contact("Lou", "Lead", stage="lead")
    happen("lead.created", lead, at=NOW - timedelta(days=2))
    happen("purchase.made", lead, amount="20")
    assert not [f for f in pending(lead) if "Nurture" in f.purpose]
    skipped = lead.followups.filter(status="skipped")
    assert {f.skip_reason for f in skipped} == {"Stopped: they bought"}


def test_information_request(happen, contact) -> None:
    happen("info.requested", contact, topic="e-bike range")
    assert local_days(pending(contact)) == ["2026-11-23", "2026-11-26"]


def test_service_interaction_call_three_business_days_later(happen, contact) -> None:
    happen("service.interaction", contact, note="Brake bleed")
    assert [(f.channel, local_days([f])[0]) for f in pending(contact)] == [("call", "2026-11-26")]


def test_invoice_paid_on_time_thanks_gold_only(happen, contact, make_contact) -> None:
    bronze = make_contact("Bo", "Bronze", tier="bronze")
    for person in (contact, bronze):
        happen(
            "invoice.issued",
            person,
            at=NOW - timedelta(days=20),
            invoice_id="INV-1",
            due_date="2026-11-30",
            amount="400",
        )
        happen("invoice.paid", person, invoice_id="INV-1")
    assert [f.purpose for f in pending(contact)] == ["Thank Dana for paying on time"]
    assert pending(bronze) == []


def test_invoice_paid_late_is_a_personal_conversation_never_a_fee(happen, contact) -> None:
    happen(
        "invoice.issued",
        contact,
        at=NOW - timedelta(days=40),
        invoice_id="INV-7",
        due_date="2026-11-13",
    )
    happen("invoice.paid", contact, invoice_id="INV-7")
    (followup,) = pending(contact)
    assert followup.channel == "call"
    assert "paid 10 days late" in followup.purpose and "No fee" in followup.purpose


def test_late_again_within_a_year_is_the_owners_call(happen, contact, alice, bob) -> None:
    contact.owner = bob
    contact.save()
    happen(
        "invoice.issued",
        contact,
        at=NOW - timedelta(days=200),
        invoice_id="A",
        due_date="2026-05-15",
    )
    happen("invoice.paid", contact, at=NOW - timedelta(days=180), invoice_id="A")
    happen(
        "invoice.issued",
        contact,
        at=NOW - timedelta(days=40),
        invoice_id="B",
        due_date="2026-11-01",
    )
    happen("invoice.paid", contact, invoice_id="B")
    (followup,) = pending(contact)
    assert followup.purpose.startswith("Owner's call with Dana about terms: 2 late payments")


def test_an_older_payment_failure_after_payment_plans_nothing(happen, contact) -> None:
    happen(
        "invoice.issued",
        contact,
        at=NOW - timedelta(days=30),
        invoice_id="INV-9",
        due_date="2026-11-18",
    )
    happen("invoice.paid", contact, at=NOW - timedelta(days=2), invoice_id="INV-9")
    # The failure and the overdue notice happened before the payment but arrive after it.
    happen("invoice.payment_failed", contact, at=NOW - timedelta(days=4), invoice_id="INV-9")
    happen("invoice.overdue", contact, at=NOW - timedelta(days=3), invoice_id="INV-9")
    purposes = [f.purpose for f in pending(contact)]
    assert len(purposes) == 1 and purposes[0].startswith("Talk with Dana about invoice INV-9")


def test_an_unpaid_overdue_invoice_gets_a_personal_word(happen, contact) -> None:
    happen("invoice.overdue", contact, invoice_id="INV-3")
    assert "invoice INV-3" in pending(contact)[0].purpose


def test_need_expected_revisits_on_the_date_they_gave(happen, contact) -> None:
    happen("need.expected", contact, revisit_on="2027-03-01", note="new team kit in spring")
    (followup,) = pending(contact)
    assert local_days([followup]) == ["2027-03-01"]
    assert followup.purpose == "Revisit with Dana: new team kit in spring"


def test_link_clicked(happen, contact) -> None:
    happen("email.link_clicked", contact, title="Winter tyre guide", url="https://x.test/t")
    assert (
        pending(contact)[0].purpose == "Dana read “Winter tyre guide”: follow up personally on it"
    )


def test_an_imported_old_purchase_plans_no_stale_touches(happen, contact) -> None:
    happen("purchase.made", contact, at=NOW - timedelta(days=400), amount="900")
    assert pending(contact) == []


def test_a_replayed_evaluation_plans_nothing_twice(happen, contact) -> None:
    from followthrough.playbooks.engine import event_process

    event = happen("purchase.made", contact, amount="10")
    assert event_process(event_id=event.pk, now=NOW) is False
    assert len(pending(contact)) == 4


def test_an_inbound_touch_stops_playbooks_waiting_for_a_reply(happen, contact, alice) -> None:
    from followthrough.activity.services import interaction_log

    happen("email.link_clicked", contact, title="Fit guide")
    interaction_log(
        contact=contact,
        by=alice,
        channel="email",
        direction="in",
        summary="Asked about a fit",
        now=NOW + timedelta(minutes=5),
    )
    assert pending(contact) == []
    assert contact.followups.get().skip_reason == "Stopped: they got in touch"


def test_a_stage_change_stops_playbooks_that_stop_on_it(workspace, happen, contact) -> None:
    from followthrough.people.services import contact_update
    from followthrough.playbooks.models import Playbook

    Playbook.objects.filter(key="information-request").update(stop_conditions=["stage_changed"])
    happen("info.requested", contact)
    contact_update(contact=contact, fields={"stage": "lapsed"})
    assert pending(contact) == []


def test_a_held_out_share_is_recorded_and_never_contacted(workspace, happen, make_contact):
    from followthrough.playbooks.models import Playbook, PlaybookRun

    Playbook.objects.filter(key="service-interaction").update(holdout_percent=50)
    people = [make_contact("P", str(i)) for i in range(40)]
    for person in people:
        happen("service.interaction", person)
    runs = PlaybookRun.objects.filter(playbook__key="service-interaction")
    held = {r.contact_id for r in runs if r.held_out}
    assert runs.count() == 40 and 8 <= len(held) <= 32
    for person in people:
        assert len(pending(person)) == (0 if person.pk in held else 1)
    # The same person stays on the same side next time.
    happen("service.interaction", people[0])
    again = runs.filter(contact=people[0]).order_by("-id").first()
    assert again.held_out == (people[0].pk in held)
