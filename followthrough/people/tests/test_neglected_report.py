from datetime import timedelta

from followthrough.conftest import NOW
from followthrough.people.models import Contact
from followthrough.people.selectors import neglected_report


def touched(contact, days_ago: int | None, created_days_ago: int = 400) -> None:
    Contact.objects.filter(pk=contact.pk).update(
        last_touched_at=None if days_ago is None else NOW - timedelta(days=days_ago),
        created_at=NOW - timedelta(days=created_days_ago),
    )


def test_it_reports_clients_untouched_longer_than_their_cadence(workspace, make_contact) -> None:
    gold_late = make_contact("Gold", "Late", stage="client", tier="gold")
    gold_fine = make_contact("Gold", "Fine", stage="client", tier="gold")
    bronze_fine = make_contact("Bronze", "Fine", stage="client", tier="bronze")
    override = make_contact("Weekly", "Override", stage="client", tier="bronze", cadence_days=7)
    never = make_contact("Never", "Touched", stage="client")
    new = make_contact("Brand", "New", stage="client", tier="gold")
    lead = make_contact("Just", "Lead", stage="lead", tier="gold")
    touched(gold_late, 31)
    touched(gold_fine, 29)
    touched(bronze_fine, 89)
    touched(override, 8)
    touched(never, None, created_days_ago=181)
    touched(new, None, created_days_ago=3)
    touched(lead, 300)

    report = neglected_report(workspace=workspace, now=NOW)

    assert {c.name for c in report.neglected} == {"Gold Late", "Weekly Override", "Never Touched"}
    assert (report.count, report.clients) == (3, 6)
    assert report.share == 0.5


def test_it_follows_the_workspace_cadence_settings(workspace, make_contact) -> None:
    silver = make_contact("Sil", "Ver", stage="client", tier="silver")
    touched(silver, 45)
    assert neglected_report(workspace=workspace, now=NOW).count == 0
    workspace.cadence_silver_days = 40
    workspace.save()
    assert neglected_report(workspace=workspace, now=NOW).count == 1
