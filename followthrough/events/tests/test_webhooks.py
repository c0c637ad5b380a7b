"""The public webhook endpoints through the test client, with real signatures."""

import base64
import hashlib
import hmac
import json
import time

import pytest

from followthrough.activity.models import FollowUp
from followthrough.core.signatures import stripe_sign
from followthrough.events.models import Event, LeadForm
from followthrough.events.services import integration_set_secret, lead_form_save
from followthrough.people.models import Contact
from followthrough.playbooks.engine import playbooks_install_defaults

STRIPE_SECRET = "whsec_spokechain_1"
SHOPIFY_SECRET = "shpss_spokechain_1"


# Real commits, so the evaluation queued after each commit runs as it does in production.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def hooks(workspace, alice):
    playbooks_install_defaults(workspace=workspace)
    integration_set_secret(workspace=workspace, kind="stripe", secret=STRIPE_SECRET)
    integration_set_secret(workspace=workspace, kind="shopify", secret=SHOPIFY_SECRET)


def stripe_post(client, payload: dict, *, secret: str = STRIPE_SECRET, age: int = 0):
    body = json.dumps(payload).encode()
    t = int(time.time()) - age
    header = f"t={t},v1={stripe_sign(secret=secret, body=body, timestamp=t)}"
    return client.post(
        "/hooks/stripe", body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
    )


def invoice_event(event_id: str, kind: str, *, created: int, **invoice) -> dict:
    obj = {
        "id": "in_1",
        "number": "SC-0042",
        "customer": "cus_9",
        "customer_email": "dana@example.com",
        "customer_name": "Dana Rider",
        "currency": "usd",
        **invoice,
    }
    return {"id": event_id, "type": kind, "created": created, "data": {"object": obj}}


@pytest.mark.usefixtures("hooks")
def test_a_signed_invoice_paid_ten_days_late_plans_the_personal_conversation(client, contact):
    now = int(time.time())
    day = 86400
    issued = invoice_event(
        "evt_1",
        "invoice.finalized",
        created=now - 40 * day,
        due_date=now - 10 * day,
        amount_due=45000,
    )
    paid = invoice_event(
        "evt_2", "invoice.paid", created=now, amount_paid=45000, status_transitions={"paid_at": now}
    )
    assert stripe_post(client, issued).status_code == 200
    assert stripe_post(client, paid).status_code == 200
    (followup,) = FollowUp.objects.filter(contact=contact, status="open")
    assert "invoice SC-0042, paid 10 days late" in followup.purpose
    assert followup.channel == "call"


@pytest.mark.usefixtures("hooks")
def test_a_replayed_stripe_event_is_stored_once(client, contact) -> None:
    payload = invoice_event("evt_7", "invoice.overdue", created=int(time.time()))
    for _ in range(3):
        assert stripe_post(client, payload).status_code == 200
    assert Event.objects.filter(source="stripe", external_id="evt_7").count() == 1
    assert FollowUp.objects.filter(contact=contact).count() == 1


@pytest.mark.usefixtures("hooks")
@pytest.mark.parametrize(
    "tamper",
    [
        lambda c, p: stripe_post(c, p, secret="whsec_wrong"),
        lambda c, p: stripe_post(c, p, age=301),
        lambda c, p: c.post("/hooks/stripe", json.dumps(p), content_type="application/json"),
    ],
    ids=["wrong-secret", "stale", "unsigned"],
)
def test_a_bad_or_old_stripe_signature_is_refused_and_stores_nothing(client, tamper) -> None:
    response = tamper(client, invoice_event("evt_9", "invoice.overdue", created=int(time.time())))
    assert response.status_code == 400
    assert Event.objects.count() == 0


@pytest.mark.usefixtures("hooks")
def test_a_rotated_stripe_secret_still_accepts_the_previous_one(client, workspace) -> None:
    integration_set_secret(workspace=workspace, kind="stripe", secret="whsec_spokechain_2")
    payload = invoice_event("evt_3", "invoice.overdue", created=int(time.time()))
    assert stripe_post(client, payload, secret=STRIPE_SECRET).status_code == 200
    assert stripe_post(client, payload, secret="whsec_spokechain_2").status_code == 200
    assert Event.objects.count() == 1


@pytest.mark.usefixtures("hooks")
def test_a_charge_from_an_unknown_customer_becomes_a_lead_with_a_purchase(client) -> None:
    charge = {
        "id": "evt_c",
        "type": "charge.succeeded",
        "created": int(time.time()),
        "data": {
            "object": {
                "id": "ch_1",
                "amount": 129900,
                "currency": "usd",
                "customer": "cus_new",
                "billing_details": {"email": "newbie@example.org", "name": "Nora Newbie"},
            }
        },
    }
    assert stripe_post(client, charge).status_code == 200
    newbie = Contact.objects.get(first_name="Nora")
    assert (newbie.source, newbie.external_id) == ("stripe", "cus_new")
    assert newbie.events.get().data["amount"] == "1299"
    assert FollowUp.objects.filter(contact=newbie).count() == 4  # first-purchase playbook


def shopify_post(
    client, payload: dict, *, secret: str = SHOPIFY_SECRET, webhook_id="wh-1", topic="orders/create"
):
    body = json.dumps(payload).encode()
    digest = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    return client.post(
        "/hooks/shopify",
        body,
        content_type="application/json",
        HTTP_X_SHOPIFY_HMAC_SHA256=digest,
        HTTP_X_SHOPIFY_WEBHOOK_ID=webhook_id,
        HTTP_X_SHOPIFY_TOPIC=topic,
    )


ORDER = {
    "id": 820982911946154508,
    "email": "dana@example.com",
    "created_at": "2026-11-22T10:00:00-05:00",
    "total_price": "59.90",
    "currency": "USD",
    "customer": {
        "id": 115310627314723954,
        "first_name": "Dana",
        "last_name": "Rider",
        "phone": "not a phone",
    },
    "line_items": [{"title": "Tubeless sealant", "quantity": 2}],
}


@pytest.mark.usefixtures("hooks")
def test_a_shopify_order_is_a_purchase_deduplicated_on_the_webhook_id(client, contact) -> None:
    assert shopify_post(client, ORDER).status_code == 200
    assert shopify_post(client, ORDER).status_code == 200
    event = Event.objects.get(source="shopify")
    assert (event.contact, event.type, event.data["items"]) == (
        contact,
        "purchase.made",
        ["Tubeless sealant"],
    )


@pytest.mark.usefixtures("hooks")
def test_a_tampered_shopify_order_is_refused(client) -> None:
    assert shopify_post(client, ORDER, secret="shpss_evil").status_code == 400
    assert Event.objects.count() == 0


@pytest.fixture
def form(workspace, hooks) -> LeadForm:
    return lead_form_save(
        workspace=workspace,
        fields={
            "name": "Book a bike fit",
            "thank_you_url": "https://spokechain.example/thanks",
            "consent_wording": "Send me the monthly ride newsletter.",
            "tags": "bike fit",
        },
    )


def test_the_lead_form_records_a_lead_with_consent_evidence(client, form) -> None:
    response = client.post(
        f"/hooks/forms/{form.slug}",
        {
            "name": "Fern Fitter",
            "email": "fern@example.org",
            "consent": "on",
            "message": "Knee pain on long rides",
            "next": "https://evil.example/",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "https://spokechain.example/thanks"
    fern = Contact.objects.get(first_name="Fern")
    assert (fern.stage, fern.source, fern.marketing_consent) == ("lead", "web_form", True)
    assert fern.consent_wording == "Send me the monthly ride newsletter."
    assert fern.consent_at is not None and fern.consent_method == "web_form"
    assert [t.name for t in fern.tags.all()] == ["bike fit"]
    assert FollowUp.objects.filter(contact=fern, purpose__startswith="Welcome Fern").exists()


def test_the_lead_form_takes_json_and_names_missing_fields(client, form) -> None:
    response = client.post(
        f"/hooks/forms/{form.slug}", {"email": "x@example.org"}, content_type="application/json"
    )
    assert response.status_code == 422 and "name" in response.json()["errors"]
    assert Contact.objects.count() == 0


def test_the_honeypot_keeps_nothing(client, form) -> None:
    response = client.post(
        f"/hooks/forms/{form.slug}",
        {"name": "Bot", "email": "bot@example.org", "website": "http://spam.example"},
    )
    assert response.status_code == 302
    assert Contact.objects.count() == 0


def test_a_flood_on_the_form_gets_429(client, form) -> None:
    codes = [
        client.post(
            f"/hooks/forms/{form.slug}", {"name": f"P{i}", "email": f"p{i}@example.org"}
        ).status_code
        for i in range(7)
    ]
    assert codes == [302] * 5 + [429] * 2
    assert Contact.objects.count() == 5


def test_without_a_thank_you_url_the_form_shows_our_page(client, form) -> None:
    form.thank_you_url = ""
    form.save()
    response = client.post(f"/hooks/forms/{form.slug}", {"name": "Al", "email": "al@example.org"})
    assert response.status_code == 200 and b"Thank you" in response.content
