"""A playbook's hold-out share (the control group) in its editor, and the lift report on its page:
followed up vs held out, repurchase within 30, 60 or 90 days, with the interval and a verdict."""

from datetime import timedelta

import pytest

from followthrough.conftest import NOW
from followthrough.events.models import Event
from followthrough.insight.tests.conftest import people, purchase
from followthrough.playbooks.models import Playbook, PlaybookRun

from .conftest import HTMX
from .html_forms import form_data


@pytest.fixture
def first_purchase(workspace) -> Playbook:
    return Playbook.objects.get(workspace=workspace, key="first-purchase")


def experiment(workspace, playbook, *, treated: int, held_out: int, bought: tuple[int, int],
               again_after: int = 20) -> None:
    """Runs started 100 days ago; the first bought[0] followed-up and bought[1] held-out people
    bought again `again_after` days later."""
    ids = people(workspace, treated + held_out)
    day = (NOW - timedelta(days=100)).date()
    Event.objects.bulk_create(purchase(workspace, cid, day) for cid in ids)
    triggers = list(Event.objects.filter(contact_id__in=ids).order_by("contact_id"))
    PlaybookRun.objects.bulk_create(
        PlaybookRun(workspace=workspace, playbook=playbook, contact_id=e.contact_id, event=e,
                    stage_at_start="client", started_at=e.occurred_at, held_out=i >= treated)
        for i, e in enumerate(triggers))
    again = ids[:bought[0]] + ids[treated:treated + bought[1]]
    Event.objects.bulk_create(purchase(workspace, cid, day + timedelta(days=again_after))
                              for cid in again)


def field(body: str, name: str) -> str:
    return body.split(f'data-field="{name}"')[1].split("data-field=")[0]


def test_the_hold_out_share_saves(alice_client, first_purchase) -> None:
    url = f"/playbooks/{first_purchase.pk}/"
    body = alice_client.get(url).content.decode()
    assert "never contacted by this playbook" in field(body, "holdout_percent")
    data = form_data(body, "playbook-form")
    assert data["holdout_percent"] == ["0"]
    data["holdout_percent"] = ["20"]

    assert alice_client.post(url, data).status_code == 302

    first_purchase.refresh_from_db()
    assert first_purchase.holdout_percent == 20 and first_purchase.steps[1]["offset"] == 14


def test_a_hold_out_over_50_is_refused_next_to_the_field(alice_client, first_purchase) -> None:
    url = f"/playbooks/{first_purchase.pk}/"
    data = form_data(alice_client.get(url).content.decode(), "playbook-form")
    data["holdout_percent"] = ["60"]

    response = alice_client.post(url, data)

    assert response.status_code == 422
    assert "A whole number from 0 to 50." in field(response.content.decode(), "holdout_percent")
    first_purchase.refresh_from_db()
    assert first_purchase.holdout_percent == 0


def test_a_new_playbook_can_hold_people_out(alice_client, workspace) -> None:
    response = alice_client.post("/playbooks/new/", {
        "name": "Win back", "trigger": "purchase.missed", "enabled": "on",
        "holdout_percent": "25", "steps-TOTAL_FORMS": "1", "steps-INITIAL_FORMS": "0",
        "steps-0-offset": "0", "steps-0-unit": "days", "steps-0-channel": "call",
        "steps-0-assignee": "owner", "steps-0-purpose": "Call to see how they are",
        "facts-TOTAL_FORMS": "0", "facts-INITIAL_FORMS": "0",
        "datatests-TOTAL_FORMS": "0", "datatests-INITIAL_FORMS": "0",
    })

    assert response.status_code == 302
    assert Playbook.objects.get(workspace=workspace, name="Win back").holdout_percent == 25


def test_the_lift_report_compares_followed_up_and_held_out(alice_client, workspace,
                                                            first_purchase) -> None:
    first_purchase.holdout_percent = 30
    first_purchase.save()
    experiment(workspace, first_purchase, treated=300, held_out=120, bought=(120, 24))

    body = alice_client.get(f"/playbooks/{first_purchase.pk}/").content.decode()

    lift = body.split('id="lift"')[1].split("</section>")[0]
    assert "Does it work?" in lift
    assert "Following up raised repurchase from 20% to 40% (+20 points, 95% CI" in lift
    followed = lift.split(">Followed up</th>")[1].split("</tr>")[0]
    assert '<td class="num">300</td><td class="num">120</td><td class="num">40%</td>' in followed
    held = lift.split(">Held out</th>")[1].split("</tr>")[0]
    assert '<td class="num">120</td><td class="num">24</td><td class="num">20%</td>' in held
    assert "Difference: <strong>+20 points</strong>" in lift
    assert "Bought again within 30 days" in lift and 'aria-current="true">30 days' in lift


def test_another_window_changes_the_answer(alice_client, workspace, first_purchase) -> None:
    first_purchase.holdout_percent = 30
    first_purchase.save()
    experiment(workspace, first_purchase, treated=300, held_out=120, bought=(120, 24),
               again_after=45)  # after 30 days, within 60

    url = f"/playbooks/{first_purchase.pk}/lift/"
    thirty = alice_client.get(url, {"window": "30"}, **HTMX).content.decode()
    sixty = alice_client.get(url, {"window": "60"}, **HTMX).content.decode()

    assert thirty.startswith('<section class="card lift-card" id="lift"')
    assert "No clear effect: 0% followed up vs 0% held out bought again" in thirty
    assert "Following up raised repurchase from 20% to 40%" in sixty
    assert "Bought again within 60 days" in sixty
    redirect = alice_client.get(url, {"window": "90"})
    assert redirect.status_code == 302
    assert redirect.url == f"/playbooks/{first_purchase.pk}/?window=90#lift"


def test_a_small_experiment_says_it_needs_more(alice_client, workspace, first_purchase) -> None:
    first_purchase.holdout_percent = 10
    first_purchase.save()
    experiment(workspace, first_purchase, treated=40, held_out=4, bought=(10, 1))

    body = alice_client.get(f"/playbooks/{first_purchase.pk}/").content.decode()

    assert "Not enough held-out customers yet (4; need ~" in body


def test_no_lift_report_for_a_playbook_that_holds_nobody_out(alice_client,
                                                              first_purchase) -> None:
    assert 'id="lift"' not in alice_client.get(
        f"/playbooks/{first_purchase.pk}/").content.decode()


def test_charlie_cannot_read_alices_lift(charlie_client, first_purchase) -> None:
    url = f"/playbooks/{first_purchase.pk}/lift/"
    assert charlie_client.get(url, {"window": "60"}, **HTMX).status_code == 404


def test_the_lift_report_stays_after_the_hold_out_is_switched_off(alice_client, workspace,
                                                                   first_purchase) -> None:
    experiment(workspace, first_purchase, treated=60, held_out=40, bought=(30, 8))
    assert first_purchase.holdout_percent == 0

    body = alice_client.get(f"/playbooks/{first_purchase.pk}/").content.decode()

    lift = body.split('id="lift"')[1].split("</section>")[0]
    assert '<td class="num">40</td><td class="num">8</td><td class="num">20%</td>' in lift
