"""The demo tells the story of touch points and rhythm: purchases as events with a rhythm, the
engine's follow-ups on the agenda, customers drifting away, tiers from value, a hold-out that
shows whether following up works."""

from collections.abc import Iterator
from datetime import timedelta
from statistics import median
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Count

from followthrough.activity.models import PENDING, FollowUp
from followthrough.activity.selectors import agenda_get
from followthrough.activity.services import reach_prefs
from followthrough.conftest import NOW
from followthrough.core.channels import MEDIUM_OF, Preference, TouchChannel
from followthrough.core.facts import PURCHASE
from followthrough.demo.services import DemoWorkspace, demo_workspace_create, demo_workspace_delete
from followthrough.events.models import Event
from followthrough.insight.lift import lift_report
from followthrough.insight.selectors import at_risk_list, plan_budget_report, rhythm_fit_get
from followthrough.people.models import Contact, Tier
from followthrough.playbooks.engine import engine_tick
from followthrough.playbooks.models import Playbook, PlaybookRun
from followthrough.web.describe import provenance

pytestmark = pytest.mark.django_db
DENVER = ZoneInfo("America/Denver")


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[DemoWorkspace]:
    with django_db_blocker.unblock():
        demo = demo_workspace_create(contacts=300, seed=4, now=NOW)
        yield demo
        demo_workspace_delete(workspace=demo.workspace)


def accepts(prefs: Any, channel: str) -> bool:
    medium = MEDIUM_OF[TouchChannel(channel)]
    return medium is not None and prefs.preference(medium) is not Preference.REFUSED


def purchases(demo: DemoWorkspace) -> Any:
    return Event.objects.filter(workspace=demo.workspace, type=PURCHASE)


def test_it_records_purchases_with_amounts_and_items(demo: DemoWorkspace) -> None:
    sample = list(purchases(demo).order_by("id")[::29])
    assert len(sample) > 20
    for event in sample:
        assert float(event.data["amount"]) > 0
        assert event.data["amount"] == f"{float(event.data['amount']):.2f}"
        assert event.data["items"]
    assert Event.objects.filter(workspace=demo.workspace, type="service.interaction").exists()


def test_it_gives_some_customers_a_monthly_rhythm(demo: DemoWorkspace) -> None:
    days_by_contact: dict[int, list[Any]] = {}
    for contact_id, at in purchases(demo).order_by("occurred_at").values_list(
            "contact_id", "occurred_at"):
        days_by_contact.setdefault(contact_id, []).append(at.astimezone(DENVER).date())
    monthly = [
        days for days in days_by_contact.values() if len(days) >= 8
        and 20 <= median((b - a).days for a, b in zip(days, days[1:], strict=False)) <= 40
    ]
    one_off = [days for days in days_by_contact.values() if len(days) == 1]
    assert len(monthly) >= 5
    assert one_off


def test_it_writes_history_already_processed(demo: DemoWorkspace) -> None:
    events = Event.objects.filter(workspace=demo.workspace)
    assert not events.filter(processed_at__isnull=True).exists()
    assert not events.filter(occurred_at__gte=NOW).exists()
    assert not events.filter(processed_at__gt=NOW).exists()
    # Old purchases started no playbook this morning: only when they came in, and whatever
    # those runs planned is done or skipped by now.
    old = purchases(demo).filter(occurred_at__lt=NOW - timedelta(days=60))
    runs = PlaybookRun.objects.filter(event__in=old).select_related("event")
    assert runs.exists()
    assert all(run.started_at - run.event.occurred_at < timedelta(minutes=10) for run in runs)
    assert not FollowUp.objects.filter(run__in=runs, status__in=PENDING).exists()


def test_a_tick_after_the_demo_plans_nothing_more(demo: DemoWorkspace) -> None:
    assert 1 <= demo.morning.tick.derived <= 10
    before = FollowUp.objects.filter(workspace=demo.workspace).count()
    later_today = engine_tick(now=NOW, workspace=demo.workspace)
    assert later_today.derived == 0
    assert FollowUp.objects.filter(workspace=demo.workspace).count() == before


def test_the_agenda_shows_follow_ups_planned_by_playbooks(demo: DemoWorkspace) -> None:
    owner = demo.owner
    agenda = agenda_get(workspace=demo.workspace, user=owner, now=NOW,
                        tz_name=owner.local_timezone)
    shown = [*agenda.overdue.followups, *agenda.today.followups, *agenda.upcoming.followups]
    lines = [provenance(f) for f in shown if f.run_id is not None]
    assert any(line.startswith("First purchase · step 1 · from the purchase on") for line in lines)
    assert any(line.startswith("Missed purchase") for line in lines)


def test_a_first_purchase_brings_the_note_in_a_week_and_the_call_in_two(
    demo: DemoWorkspace,
) -> None:
    runs = PlaybookRun.objects.filter(workspace=demo.workspace, playbook__key="first-purchase",
                                      event__occurred_at__gt=NOW - timedelta(days=5))
    assert runs.count() >= 2
    for run in runs.select_related("event", "contact__workspace"):
        planned = {f.step_index: f for f in FollowUp.objects.filter(run=run)}
        sale_day = run.event.occurred_at.astimezone(DENVER).date()
        prefs = reach_prefs(run.contact)
        for step, days in ((0, 7), (1, 14)):
            followup = planned[step]
            assert followup.status in PENDING
            assert followup.due_at.astimezone(DENVER).date() >= sale_day + timedelta(days=days)
            assert followup.due_at.astimezone(DENVER).date() <= sale_day + timedelta(days=days + 4)
            assert accepts(prefs, followup.channel)


def test_an_invoice_paid_ten_days_late_brings_a_personal_conversation(
    demo: DemoWorkspace,
) -> None:
    followup = FollowUp.objects.get(workspace=demo.workspace,
                                    run__playbook__key="invoice-paid-late")
    assert "paid 10 days late" in followup.purpose
    assert followup.status in PENDING
    assert followup.event.occurred_at > NOW - timedelta(days=2)


def test_a_project_on_hold_is_revisited_on_the_date_they_gave(demo: DemoWorkspace) -> None:
    followup = FollowUp.objects.get(workspace=demo.workspace, run__playbook__key="need-expected",
                                    status__in=PENDING)
    revisit = followup.event.data["revisit_on"]
    assert followup.due_at.astimezone(DENVER).date().isoformat() >= revisit
    assert followup.event.occurred_at < NOW - timedelta(days=30)


def test_a_web_form_last_night_is_a_new_lead_with_a_reply_planned(demo: DemoWorkspace) -> None:
    lead_events = Event.objects.filter(workspace=demo.workspace, type="lead.created")
    newest = lead_events.order_by("-occurred_at").first()
    assert newest is not None
    assert newest.contact.stage == "lead"
    reply = FollowUp.objects.get(event=newest, step_index=0)
    assert reply.status in PENDING
    assert reply.due_at < NOW + timedelta(days=4)
    assert Contact.objects.filter(workspace=demo.workspace).count() == 300


def test_it_lists_customers_at_risk_with_a_reason(demo: DemoWorkspace) -> None:
    at_risk = at_risk_list(workspace=demo.workspace, now=NOW)
    assert len(at_risk) >= 3
    assert all("since the last purchase" in risk.sentence for risk in at_risk)
    assert any(risk.sentence.startswith("usually buys every") for risk in at_risk)
    assert FollowUp.objects.filter(workspace=demo.workspace, run__playbook__key="missed-purchase",
                                   purpose__contains="usually buys every").exists()


def test_it_fits_the_rhythm_model_and_sets_tiers_from_value(demo: DemoWorkspace) -> None:
    fit = rhythm_fit_get(workspace=demo.workspace)
    assert fit is not None and fit.fitted
    tiers = dict(Contact.objects.filter(workspace=demo.workspace, customer_score__isnull=False)
                 .values_list("tier").annotate(n=Count("id")).order_by())
    assert tiers[Tier.GOLD] < tiers[Tier.SILVER] < tiers[Tier.BRONZE]
    assert Event.objects.filter(workspace=demo.workspace, type="tier.changed",
                                data__reason="value").exists()


def test_it_spends_against_the_tier_budgets(demo: DemoWorkspace) -> None:
    report = plan_budget_report(workspace=demo.workspace, year=NOW.year)
    assert all(tier.spend > 0 for tier in report.tiers)


def test_the_hold_out_shows_whether_following_up_works(demo: DemoWorkspace) -> None:
    playbook = Playbook.objects.get(workspace=demo.workspace, key="repeat-purchase")
    assert playbook.holdout_percent == 20
    report = lift_report(workspace=demo.workspace, playbook=playbook, window_days=60, now=NOW)
    assert report.treated >= 100
    assert report.held_out >= 20
    assert report.treated_bought > 0 and report.held_out_bought > 0
    assert report.difference is not None and report.difference > 0
    held_out = PlaybookRun.objects.filter(playbook=playbook, held_out=True)
    assert not FollowUp.objects.filter(run__in=held_out).exists()


def test_playbook_follow_ups_never_refuse_the_customers_wishes(demo: DemoWorkspace) -> None:
    planned = FollowUp.objects.filter(workspace=demo.workspace, run__isnull=False)
    for followup in planned.select_related("contact__workspace").order_by("id")[::7]:
        assert accepts(reach_prefs(followup.contact), followup.channel)
