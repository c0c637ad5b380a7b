"""Evaluating a batch of events at once must plan exactly what evaluating them one by one plans:
later events see the runs, follow-ups and re-entry counts of earlier ones."""

from datetime import timedelta

from followthrough.accounts.models import Role, Workspace
from followthrough.accounts.services import user_create, workspace_create
from followthrough.activity.models import FollowUp
from followthrough.conftest import NOW, PASSWORD
from followthrough.events.models import Event
from followthrough.events.services import ContactRef, EventInput, event_record
from followthrough.people.services import contact_create
from followthrough.playbooks.engine import event_process, events_process
from followthrough.playbooks.models import PlaybookRun

DAY = timedelta(days=1)


def business(name: str) -> Workspace:
    workspace = workspace_create(name=name, timezone_name="America/New_York")
    user_create(workspace=workspace, email=f"owner@{name.split()[0].lower()}.test",
                password=PASSWORD, role=Role.OWNER, first_name="Olive")
    people = {
        "dana": {"stage": "client", "tier": "gold"},
        "lou": {"stage": "lead"},
        "pat": {"stage": "client", "tier": "silver", "pref_phone": "refused",
                "pref_text": "preferred"},
        "ray": {"stage": "client", "tier": "bronze"},
        "uma": {"stage": "lead"},
    }
    for first, fields in people.items():
        contact_create(workspace=workspace, by=None, fields={"first_name": first.title(),
                       **fields}, emails=[f"{first}@example.com"])
    return workspace


def happenings() -> list[tuple[str, str, timedelta, dict]]:
    """(who, type, how long ago, data), in the order they arrive."""
    return [
        ("lou", "lead.created", 2 * DAY, {"channel": "web_form"}),
        ("lou", "lead.created", DAY, {"channel": "call"}),  # re-entry limit 1
        ("dana", "purchase.made", 3 * DAY, {"amount": "1899"}),
        ("dana", "purchase.made", DAY, {"amount": "40"}),  # repeat, in the same batch
        ("lou", "purchase.made", timedelta(hours=1), {"amount": "20"}),  # stops the nurture
        ("pat", "invoice.issued", 40 * DAY, {"invoice_id": "I-1", "amount": "300",
                                             "due_date": (NOW - 12 * DAY).date().isoformat()}),
        ("pat", "invoice.paid", DAY, {"invoice_id": "I-1"}),  # 11 days late; no calls
        ("ray", "info.requested", 2 * DAY, {"topic": "fitting"}),
        ("ray", "email.link_clicked", 2 * DAY, {"title": "Winter tyres"}),
        ("ray", "email.replied", DAY, {}),  # they got in touch: the link follow-up stops
        ("ray", "need.expected", DAY, {"revisit_on": (NOW + 60 * DAY).date().isoformat(),
                                       "note": "new team kit in spring"}),
        ("ray", "service.interaction", timedelta(hours=2), {"note": "wheel true"}),
        ("ray", "service.interaction", timedelta(hours=1), {"note": "brakes"}),  # same touch
        ("uma", "lead.created", 3 * DAY, {"channel": "event"}),
        ("uma", "email.unsubscribed", timedelta(hours=1), {}),
        ("ray", "shop.custom_thing", DAY, {}),  # no playbook
    ]


def record_all(workspace: Workspace) -> list[int]:
    ids = []
    for n, (who, kind, ago, data) in enumerate(happenings()):
        event = event_record(workspace=workspace, item=EventInput(
            type=kind, occurred_at=NOW - ago, source="test", external_id=f"e{n}",
            contact=ContactRef(email=f"{who}@example.com"), data=data))
        ids.append(event.pk)
    return ids


def planned(workspace: Workspace) -> tuple[list[tuple], list[tuple]]:
    followups = FollowUp.objects.filter(workspace=workspace).select_related(
        "contact", "assignee", "run__playbook")
    runs = PlaybookRun.objects.filter(workspace=workspace).select_related("contact", "playbook")
    return (
        sorted((f.contact.first_name, f.purpose, f.due_at, f.channel, f.status, f.skip_reason,
                f.origin, f.step_index, f.assignee.first_name if f.assignee else None,
                f.run.playbook.key if f.run else None, f.event.external_id if f.event else None)
               for f in followups),
        sorted((r.contact.first_name, r.playbook.key, r.event.external_id, r.status,
                r.stop_reason, r.held_out) for r in runs),
    )


def test_a_batch_plans_what_one_by_one_plans(db) -> None:
    singly, batch = business("Single Cycles"), business("Batch Cycles")
    for event_id in record_all(singly):
        assert event_process(event_id=event_id, now=NOW)
    assert events_process(event_ids=record_all(batch), now=NOW) == len(happenings())
    followups, runs = planned(batch)
    assert (followups, runs) == planned(singly)
    # And what was planned is what the playbooks say, not just the same twice.
    by_person = {}
    for who, purpose, _due, channel, status, *_ in followups:
        by_person.setdefault(who, []).append((purpose.split(" ")[0], channel, status))
    assert ("Nurture:", "email", "skipped") in by_person["Lou"]
    assert [r[1] for r in runs if r[0] == "Lou"].count("new-lead") == 1
    assert any("paid 11 days late" in f[1] and f[3] == "text" for f in followups)
    assert ("Handwritten", "note", "open") in by_person["Dana"]
    assert {status for _, _, status in by_person["Uma"]} == {"skipped"}
    assert ("Ray", "link-clicked", "e8", "stopped", "Stopped: they got in touch", False) in runs
    assert [p for p, *_ in by_person["Ray"]].count("Check") == 2  # information, one service


def test_events_already_claimed_are_left_alone(workspace, alice) -> None:
    ids = record_all(workspace)
    assert events_process(event_ids=ids[:3], now=NOW) == 3
    before = FollowUp.objects.count()
    assert events_process(event_ids=ids, now=NOW) == len(ids) - 3
    assert events_process(event_ids=ids, now=NOW) == 0
    assert not Event.objects.filter(processed_at__isnull=True).exists()
    assert FollowUp.objects.count() > before
