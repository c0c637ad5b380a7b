"""The demo book is realistic and its rows are the ones the services would have written."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.db.models import Max, Q

from followthrough.activity.models import PENDING, Direction, FollowUp, Interaction
from followthrough.activity.selectors import agenda_get
from followthrough.activity.services import reach_prefs
from followthrough.conftest import NOW
from followthrough.core.cadence import ReviewBucket
from followthrough.core.scheduling import next_slot
from followthrough.demo.services import (
    DemoWorkspace,
    demo_workspace_create,
    demo_workspace_delete,
)
from followthrough.people.models import Contact, ContactEmail, ContactPhone, Stage, Tier
from followthrough.people.selectors import neglected_report, review_bucket_counts
from followthrough.people.services import phone_normalize, search_text_for

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[DemoWorkspace]:
    """One book for the whole module: generating it is the slow part."""
    with django_db_blocker.unblock():
        demo = demo_workspace_create(contacts=200, seed=3, now=NOW)
        yield demo
        demo_workspace_delete(workspace=demo.workspace)


def contacts(demo: DemoWorkspace) -> Any:
    return Contact.objects.filter(workspace=demo.workspace)


def test_it_has_people_in_every_stage_and_tier(demo: DemoWorkspace) -> None:
    assert set(contacts(demo).values_list("stage", flat=True)) == set(Stage.values)
    client_tiers = set(contacts(demo).filter(stage=Stage.CLIENT).values_list("tier", flat=True))
    assert {Tier.GOLD, Tier.SILVER, Tier.BRONZE} <= client_tiers
    assert contacts(demo).filter(influence=True).exists()
    assert Interaction.objects.filter(workspace=demo.workspace).count() >= 200 * 6


def test_it_opens_on_a_morning_with_overdue_and_todays_follow_ups(demo: DemoWorkspace) -> None:
    owner = demo.owner
    mine = agenda_get(workspace=demo.workspace, user=owner, now=NOW, tz_name=owner.local_timezone)
    team = agenda_get(workspace=demo.workspace, user=None, now=NOW, tz_name=owner.local_timezone)
    assert mine.overdue.total >= 1
    assert mine.today.total >= 2
    assert mine.upcoming.total >= 2
    assert team.today.total > mine.today.total
    assert team.overdue.total > mine.overdue.total


def test_it_has_neglected_gold_and_silver_clients(demo: DemoWorkspace) -> None:
    report = neglected_report(workspace=demo.workspace, now=NOW)
    assert 0 < report.share < 0.5
    assert report.neglected.filter(tier__in=[Tier.GOLD, Tier.SILVER]).exists()


def test_it_fills_every_review_bucket(demo: DemoWorkspace) -> None:
    counts = review_bucket_counts(workspace=demo.workspace, now=NOW)
    assert all(counts[bucket] > 0 for bucket in ReviewBucket)


def test_it_never_calls_someone_who_refuses_calls(demo: DemoWorkspace) -> None:
    refusing = contacts(demo).filter(pref_phone="refused")
    assert refusing.exists()
    assert not FollowUp.objects.filter(contact__in=refusing, channel="call").exists()
    assert not Interaction.objects.filter(
        contact__in=refusing, channel="call", direction=Direction.OUTBOUND
    ).exists()


def test_it_stores_phones_in_valid_e164_and_emails_lower_cased(demo: DemoWorkspace) -> None:
    numbers = list(ContactPhone.objects.filter(workspace=demo.workspace)
                   .values_list("number", flat=True))
    assert numbers
    assert all(phone_normalize(n, region="US") == n for n in numbers)
    emails = list(ContactEmail.objects.filter(workspace=demo.workspace)
                  .values_list("email", flat=True))
    assert emails == [e.lower() for e in emails]
    assert all(e.split("@")[1] in {"example.com", "example.org", "mail.example.com"}
               or e.endswith(".test") for e in emails)


def test_it_builds_the_search_text_like_the_services(demo: DemoWorkspace) -> None:
    sample = contacts(demo).select_related("organization").prefetch_related(
        "emails", "phones", "tags").order_by("id")[::7]
    assert sample
    for contact in sample:
        assert contact.search_text == search_text_for(contact)


def test_it_keeps_last_touched_and_last_heard_in_step_with_the_log(demo: DemoWorkspace) -> None:
    rows = contacts(demo).annotate(
        touched=Max("interactions__occurred_at"),
        heard=Max("interactions__occurred_at",
                  filter=Q(interactions__direction=Direction.INBOUND)),
    )
    for contact in rows:
        assert contact.last_touched_at == contact.touched
        assert contact.last_heard_at == contact.heard


def test_it_logs_nothing_after_now(demo: DemoWorkspace) -> None:
    log = Interaction.objects.filter(workspace=demo.workspace)
    assert log.filter(occurred_at__gte=NOW).count() == 0
    assert FollowUp.objects.filter(workspace=demo.workspace, created_at__gt=NOW).count() == 0
    assert not FollowUp.objects.filter(workspace=demo.workspace, completed_at__gt=NOW).exists()


def test_it_plans_follow_ups_in_slots_the_contact_accepts(demo: DemoWorkspace) -> None:
    pending = FollowUp.objects.filter(workspace=demo.workspace, status__in=PENDING)
    assert pending.exists()
    for followup in pending.select_related("contact__workspace"):
        prefs = reach_prefs(followup.contact)
        assert next_slot(after=followup.due_at, prefs=prefs) == followup.due_at


def test_it_closes_done_follow_ups_with_the_touch_that_did_them(demo: DemoWorkspace) -> None:
    done = FollowUp.objects.filter(workspace=demo.workspace, status="done")
    assert done.exists()
    assert not done.filter(interaction__isnull=True).exists()
    assert FollowUp.objects.filter(workspace=demo.workspace, status="skipped").exclude(
        skip_reason="").exists()


def test_its_rows_pass_model_validation(demo: DemoWorkspace) -> None:
    for contact in contacts(demo).order_by("id")[::11]:
        contact.full_clean(exclude=["tags"])
    for interaction in Interaction.objects.filter(workspace=demo.workspace).order_by("id")[::97]:
        interaction.full_clean()
    for followup in FollowUp.objects.filter(workspace=demo.workspace).order_by("id")[::53]:
        followup.full_clean(validate_unique=False)
