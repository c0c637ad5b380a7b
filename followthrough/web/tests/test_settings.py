from django.conf import settings

from followthrough.events.models import Integration, LeadForm
from followthrough.people.models import Contact

from .html_forms import form_data

SECRET = "whsec_9a8b7c6d5e4f3a2b1c0d"


def field(body: str, name: str) -> str:
    return body.split(f'data-field="{name}"')[1].split("data-field=")[0]


def test_it_saves_the_business_settings(alice_client, workspace) -> None:
    data = form_data(alice_client.get("/settings/").content.decode(), "settings-form")
    assert data["cadence_gold_days"] == ["30"] and data["timezone"] == ["America/New_York"]
    data.update({"name": ["Spoke & Chain"], "timezone": ["America/Chicago"],
                 "holidays": ["2026-12-25\n2026-12-24\n\n2026-12-25"], "date_lead_days": ["10"],
                 "cadence_gold_days": ["21"], "cadence_other_days": ["365"]})

    response = alice_client.post("/settings/", data)

    assert response.status_code == 302
    workspace.refresh_from_db()
    assert (workspace.name, workspace.timezone) == ("Spoke & Chain", "America/Chicago")
    assert workspace.holidays == ["2026-12-24", "2026-12-25"]
    assert (workspace.date_lead_days, workspace.cadence_gold_days) == (10, 21)
    assert (workspace.cadence_silver_days, workspace.cadence_other_days) == (60, 365)
    assert "Settings saved." in alice_client.get("/settings/").content.decode()


def test_it_shows_each_error_next_to_its_field_and_saves_nothing(alice_client, workspace) -> None:
    data = form_data(alice_client.get("/settings/").content.decode(), "settings-form")
    data.update({"name": ["Renamed"], "timezone": ["Mars/Olympus"],
                 "holidays": ["2026-12-25\n2026-13-01"], "cadence_gold_days": ["0"],
                 "date_lead_days": ["soon"]})

    response = alice_client.post("/settings/", data)

    assert response.status_code == 422
    body = response.content.decode()
    assert "Enter a whole number." in field(body, "date_lead_days")
    data["date_lead_days"] = ["7"]
    body = alice_client.post("/settings/", data).content.decode()
    assert "Unknown time zone “Mars/Olympus”" in field(body, "timezone")
    assert "“2026-13-01” is not a date" in field(body, "holidays")
    assert "A whole number from 1 to 3650." in field(body, "cadence_gold_days")
    assert "Mars/Olympus" in field(body, "timezone")  # what was typed stays
    workspace.refresh_from_db()
    assert workspace.name == "Spoke & Chain Cycles" and workspace.cadence_gold_days == 30


def test_the_account_menu_links_settings_for_admins_only(alice_client, client, bob) -> None:
    assert 'href="/settings/"' in alice_client.get("/").content.decode()

    client.force_login(bob)
    assert 'href="/settings/"' not in client.get("/").content.decode()


def test_a_member_gets_403(client, bob, workspace) -> None:
    form = LeadForm.objects.create(workspace=workspace, name="Contact us")
    client.force_login(bob)

    response = client.get("/settings/")

    assert response.status_code == 403
    assert "Only the workspace&#x27;s owner or an admin can change this." in (
        response.content.decode())
    assert client.post("/settings/", {"name": "Mine"}).status_code == 403
    assert client.post("/settings/integrations/stripe/", {"secret": SECRET}).status_code == 403
    assert client.get("/settings/forms/new/").status_code == 403
    assert client.post(f"/settings/forms/{form.pk}/", {"name": "Mine"}).status_code == 403
    assert not Integration.objects.exists()


def test_it_shows_the_webhook_url_and_the_secret_masked(alice_client, workspace) -> None:
    body = alice_client.get("/settings/").content.decode()
    assert f"{settings.BASE_URL}/hooks/stripe" in body
    assert f"{settings.BASE_URL}/hooks/shopify" in body

    response = alice_client.post("/settings/integrations/stripe/", {"secret": SECRET})

    assert response.status_code == 302
    body = alice_client.get("/settings/").content.decode()
    assert "••••1c0d" in body and SECRET not in body and SECRET[:-4] not in body
    stripe = body.split('id="integration-stripe"')[1].split('id="integration-shopify"')[0]
    assert "Connected" in stripe and "Previous secret" not in stripe

    alice_client.post("/settings/integrations/stripe/", {"secret": "whsec_newsecret4242"})

    stripe = alice_client.get("/settings/").content.decode().split(
        'id="integration-stripe"')[1].split('id="integration-shopify"')[0]
    assert "••••4242" in stripe and "••••1c0d" in stripe and "still accepted" in stripe
    assert Integration.objects.get(workspace=workspace).previous_secret == SECRET


def test_it_refuses_a_short_secret_next_to_the_field(alice_client) -> None:
    response = alice_client.post("/settings/integrations/shopify/", {"secret": "abc"})

    assert response.status_code == 422
    shopify = response.content.decode().split('id="integration-shopify"')[1]
    assert "Paste the whole signing secret." in field(shopify, "secret")
    assert 'value="abc"' not in shopify  # a secret is never written back into the page
    assert not Integration.objects.exists()


def test_it_creates_a_lead_form_that_creates_leads(alice_client, client, workspace) -> None:
    response = alice_client.post("/settings/forms/new/", {
        "name": "Fitting request", "consent_wording": "Send me the monthly ride <news>",
        "tags": "fitting,  e-bikes", "enabled": "on",
    })

    lead_form = LeadForm.objects.get(workspace=workspace)
    assert response.status_code == 302 and response.url == f"/settings/forms/{lead_form.pk}/"
    assert lead_form.tags == "fitting, e-bikes"
    body = alice_client.get(response.url).content.decode()
    url = f"{settings.BASE_URL}/hooks/forms/{lead_form.slug}"
    assert f'<code id="public-url">{url}</code>' in body
    snippet = body.split('<textarea id="snippet"')[1].split("</textarea>")[0]
    assert f"action=&quot;{url}&quot;" in snippet
    for name in ("name", "email", "phone", "message", "consent", "website"):
        assert f"name=&quot;{name}&quot;" in snippet
    assert "Send me the monthly ride &amp;lt;news&amp;gt;" in snippet  # escaped twice: shown
    assert f"/hooks/forms/{lead_form.slug}" in alice_client.get("/settings/").content.decode()

    client.post(f"/hooks/forms/{lead_form.slug}", {
        "name": "Lou Lead", "email": "lou@example.com", "consent": "1", "website": ""})
    lou = Contact.objects.get(workspace=workspace, first_name="Lou")
    assert lou.marketing_consent and lou.consent_wording == "Send me the monthly ride <news>"


def test_it_shows_lead_form_errors_next_to_the_field(alice_client, workspace) -> None:
    lead_form = LeadForm.objects.create(workspace=workspace, name="Contact us")

    response = alice_client.post(f"/settings/forms/{lead_form.pk}/", {
        "name": "Contact us", "thank_you_url": "ftp://example.com/thanks"})

    assert response.status_code == 422
    assert "Use an http:// or https:// address." in field(response.content.decode(),
                                                           "thank_you_url")
    lead_form.refresh_from_db()
    assert lead_form.thank_you_url == "" and lead_form.enabled
