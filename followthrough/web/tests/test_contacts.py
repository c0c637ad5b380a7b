from datetime import timedelta

from followthrough.activity.services import interaction_log
from followthrough.conftest import NOW
from followthrough.people.models import Contact
from followthrough.people.services import organization_create

from .conftest import HTMX


def names(response) -> list[str]:
    return [c.name for c in response.context["page"].object_list]


def test_it_searches_by_name_email_phone_organization_and_tag(alice_client, make_contact) -> None:
    shop = organization_create(workspace=make_contact().workspace, fields={"name": "Velo Club"})
    make_contact("Erin", "Climb", email="erin@hills.test", phone="+1 212 555 0142",
                 organization=shop, tags=("gravel",))
    make_contact("Frank", "Flat")

    for query in ("erin", "hills.test", "(212) 555-0142", "velo", "gravel"):
        assert names(alice_client.get("/contacts/", {"q": query})) == ["Erin Climb"], query


def test_it_filters_by_stage_tier_owner_tag_and_flag(alice_client, make_contact, bob) -> None:
    make_contact("Gold", "Client", stage="client", tier="gold", tags=("racing",))
    make_contact("Plain", "Lead", stage="lead", owner=bob)
    flagged = make_contact("Flag", "Ged", review_flag=True)

    assert names(alice_client.get("/contacts/", {"stage": "client"})) == ["Gold Client"]
    assert names(alice_client.get("/contacts/", {"tier": "gold"})) == ["Gold Client"]
    assert "Gold Client" not in names(alice_client.get("/contacts/", {"tier": "none"}))
    assert names(alice_client.get("/contacts/", {"owner": bob.pk})) == ["Plain Lead"]
    assert names(alice_client.get("/contacts/", {"tag": "racing"})) == ["Gold Client"]
    assert names(alice_client.get("/contacts/", {"flagged": "1"})) == [flagged.name]


def test_it_filters_by_last_touch_and_shows_it_in_words(alice_client, make_contact) -> None:
    recent = make_contact("Recent", "Rider")
    interaction_log(contact=recent, by=None, channel="call", summary="Hi",
                    occurred_at=NOW - timedelta(days=12))
    make_contact("Never", "Touched")

    page = alice_client.get("/contacts/")
    body = page.content.decode()

    assert "12 days ago" in body and "never" in body
    assert names(alice_client.get("/contacts/", {"touched": "0-30"})) == ["Recent Rider"]
    assert names(alice_client.get("/contacts/", {"touched": "never"})) == ["Never Touched"]


def test_it_pages_by_fifty_keeping_the_filters(alice_client, make_contact) -> None:
    for i in range(120):
        make_contact("Rider", f"{i:03d}", stage="client")

    first = alice_client.get("/contacts/", {"stage": "client"})
    third = alice_client.get("/contacts/", {"stage": "client", "page": 3})

    assert len(names(first)) == 50 and len(names(third)) == 20
    assert "Page 1 of 3" in first.content.decode()
    assert 'href="?stage=client&amp;page=2"' in first.content.decode()
    assert names(third)[-1] == "Rider 119"


def test_it_answers_live_search_with_the_results_only(alice_client, make_contact) -> None:
    make_contact("Erin", "Climb")

    response = alice_client.get("/contacts/", {"q": "erin"}, **HTMX)

    body = response.content.decode()
    assert body.lstrip().startswith('<div id="contact-results"')
    assert "Erin Climb" in body and "<html" not in body
    assert "HX-Request" in response.headers["Vary"]


def test_it_offers_referrers_as_you_type(alice_client, make_contact) -> None:
    erin = make_contact("Erin", "Climb")

    response = alice_client.get("/contacts/", {"as": "options", "referred_by": "eri"}, **HTMX)

    assert f'<option value="#{erin.pk} Erin Climb">' in response.content.decode()


def full_form(**overrides: str) -> dict[str, str | list[str]]:
    data: dict[str, str | list[str]] = {
        "first_name": "Gina", "last_name": "Gravel", "title": "Buyer", "stage": "client",
        "source": "referral", "tier": "silver", "influence": "on", "tags": "gravel, touring",
        "emails": "gina@gravel.test\ngina.g@work.test",
        "phones": "mobile: (415) 555-0101\nwork: +44 20 7946 0018",
        "birthday": "04-12", "client_since": "2021-06-01",
        "other_dates": "Shop anniversary: 2019-05-01",
        "street": "1 Spoke St", "city": "Oakland", "region": "CA", "postal_code": "94607",
        "country": "us", "pref_phone": "refused", "pref_text": "ok", "pref_email": "preferred",
        "pref_mail": "ok", "pref_in_person": "ok", "pref_social": "ok",
        "best_days": ["1", "3"], "best_hours_start": "10:00", "best_hours_end": "12:00",
        "timezone": "America/Los_Angeles", "max_touches_per_month": "2", "cadence_days": "45",
        "marketing_consent": "on", "consent_at": "2026-11-10T10:00", "consent_method": "web_form",
        "consent_wording": "Yes, send me the newsletter", "notes": "Met at the swap meet",
    }
    data.update(overrides)
    return data


def test_it_creates_a_contact_with_everything(alice_client, alice) -> None:
    response = alice_client.post("/contacts/new/", full_form())

    gina = Contact.objects.get(first_name="Gina")
    assert response.status_code == 302 and response.url == f"/contacts/{gina.pk}/"
    assert gina.owner is None  # "Nobody" was chosen (the field was left out)
    assert [e.email for e in gina.emails.all()] == ["gina@gravel.test", "gina.g@work.test"]
    assert [(p.label, p.number) for p in gina.phones.all()] == [
        ("mobile", "+14155550101"), ("work", "+442079460018")]
    assert sorted(t.name for t in gina.tags.all()) == ["gravel", "touring"]
    assert sorted((d.kind, d.month, d.day, d.year, d.label) for d in gina.dates.all()) == [
        ("birthday", 4, 12, None, ""), ("client_since", 6, 1, 2021, ""),
        ("custom", 5, 1, 2019, "Shop anniversary")]
    assert gina.best_days == [1, 3] and gina.pref_phone == "refused"
    assert gina.country == "US" and gina.influence and gina.marketing_consent
    assert gina.consent_at.isoformat() == "2026-11-10T15:00:00+00:00"  # 10:00 in New York
    page = alice_client.get(response.url).content.decode()
    assert "+1 415-555-0101" in page and "Refuses" in page and "Tue, Thu" in page


def test_it_shows_a_bad_phone_next_to_phones_and_keeps_the_input(alice_client) -> None:
    response = alice_client.post("/contacts/new/", full_form(phones="mobile: 555-12"))

    assert response.status_code == 400
    body = response.content.decode()
    phones_field = body.split('data-field="phones"')[1].split('data-field=')[0]
    assert "is not a valid phone number" in phones_field
    assert "mobile: 555-12" in phones_field
    assert 'value="Gina"' in body
    assert not Contact.objects.filter(first_name="Gina").exists()


def test_it_shows_a_service_error_next_to_its_field(alice_client) -> None:
    response = alice_client.post("/contacts/new/",
                                 full_form(best_hours_start="15:00", best_hours_end="09:00"))

    field = response.content.decode().split('data-field="best_hours_end"')[1]
    assert "Must be after the start of best hours." in field.split("data-field=")[0]


def test_it_warns_about_a_duplicate_and_creates_only_when_confirmed(
    alice_client, contact
) -> None:
    data = full_form(emails="DANA@example.com", phones="")

    warned = alice_client.post("/contacts/new/", data)

    body = warned.content.decode()
    assert warned.status_code == 200 and 'id="duplicate-warning"' in body
    assert f'href="/contacts/{contact.pk}/"' in body and "Create anyway" in body
    assert 'value="Gina"' in body  # nothing typed is lost
    assert not Contact.objects.filter(first_name="Gina").exists()

    data["duplicates_seen"] = str(contact.pk)
    created = alice_client.post("/contacts/new/", data)
    assert created.status_code == 302
    assert Contact.objects.filter(first_name="Gina").exists()


def test_it_warns_about_a_duplicate_phone_written_differently(alice_client, contact) -> None:
    response = alice_client.post("/contacts/new/", full_form(emails="", phones="415 555 0100"))
    assert 'id="duplicate-warning"' in response.content.decode()


def test_it_edits_a_contact_starting_from_what_it_has(alice_client, contact) -> None:
    form = alice_client.get(f"/contacts/{contact.pk}/edit/").content.decode()
    assert "dana@example.com" in form and "+1 415-555-0100" in form and "road cycling" in form

    data = full_form(first_name="Dana", last_name="Rider", emails="dana@example.com",
                     phones="+1 415-555-0100", tags="road cycling, racing")
    response = alice_client.post(f"/contacts/{contact.pk}/edit/", data)

    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.stage == "client" and contact.cadence_days == 45
    assert sorted(t.name for t in contact.tags.all()) == ["racing", "road cycling"]


def test_it_refuses_a_referrer_from_another_workspace(alice_client, make_contact,
                                                      other_workspace) -> None:
    outsider = make_contact("Out", "Sider", ws=other_workspace)
    referrer = make_contact("Ref", "Errer")

    refused = alice_client.post("/contacts/new/", full_form(referred_by=f"#{outsider.pk}"))
    assert refused.status_code == 400
    assert f"No contact #{outsider.pk} here." in refused.content.decode()

    alice_client.post("/contacts/new/", full_form(referred_by=f"#{referrer.pk} Ref Errer"))
    assert Contact.objects.get(first_name="Gina").referred_by == referrer


def test_it_prefills_the_organization_from_its_page(alice_client, workspace) -> None:
    shop = organization_create(workspace=workspace, fields={"name": "Velo Club"})
    form = alice_client.get(f"/contacts/new/?organization={shop.pk}").content.decode()
    assert f'<option value="{shop.pk}" selected>Velo Club</option>' in form


def test_it_toggles_the_review_flag_from_the_list(alice_client, contact) -> None:
    response = alice_client.post(f"/contacts/{contact.pk}/flag/",
                                 {"flagged": "1", "compact": "1"}, **HTMX)

    contact.refresh_from_db()
    assert contact.review_flag
    assert 'aria-pressed="true"' in response.content.decode()
    alice_client.post(f"/contacts/{contact.pk}/flag/", {"flagged": "0"})
    contact.refresh_from_db()
    assert not contact.review_flag
