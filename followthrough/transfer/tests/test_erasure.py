"""contact_erase: after erasing a person, no table in the whole database holds their email,
phone or name, and a suppression digest keeps them out of campaigns."""

import io
import json
from datetime import timedelta

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from openpyxl import Workbook

from followthrough.accounts.models import RateLimit
from followthrough.activity.services import followup_create, interaction_log
from followthrough.conftest import NOW
from followthrough.events.services import ContactRef, EventInput, event_record
from followthrough.insight.services import tier_pin_set
from followthrough.outreach.models import (
    Campaign,
    OutboxMessage,
    OutboxStatus,
    Suppression,
    address_digest,
)
from followthrough.outreach.services import campaign_create, segment_create, template_create
from followthrough.people.models import Contact, ImportantDate
from followthrough.playbooks.models import Playbook, PlaybookRun
from followthrough.transfer.erasure import contact_erase
from followthrough.transfer.importing.jobs import import_job_create
from followthrough.transfer.importing.reading import read_table

EMAIL, PHONE, NAME = "zoe.rider@example.com", "+14155550177", "Zoë Rider"
NATIONAL = "4155550177"  # her phone as a file may write it: (415) 555-0177
# Eleven other people first, so she is in none of the rows an import job keeps as a preview.
OTHERS = [[f"Rider {n}", f"rider{n}@example.com", f"+1 415 555 02{n:02d}"] for n in range(11)]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def zoe(make_contact, workspace, alice):
    zoe = make_contact(
        "Zoë",
        "Rider",
        email=EMAIL,
        phone="+1 415 555 0177",
        stage="client",
        tags=("gravel",),
        notes="Met at the gravel race.",
    )
    ImportantDate.objects.create(contact=zoe, kind="birthday", month=2, day=3)
    interaction_log(
        contact=zoe,
        by=alice,
        channel="email",
        summary=f"Wrote to {EMAIL}",
        occurred_at=NOW - timedelta(days=2),
    )
    followup_create(contact=zoe, by=alice, purpose=f"Call {NAME} on {PHONE}")
    event = event_record(
        workspace=workspace,
        item=EventInput(
            type="lead.created",
            occurred_at=NOW - timedelta(days=30),
            source="form:web",
            external_id="lead-77",
            contact=ContactRef(email=EMAIL),
            data={"name": NAME, "email": EMAIL, "phone": PHONE, "message": "Hi from Zoë Rider"},
        ),
    )
    PlaybookRun.objects.create(
        workspace=workspace,
        playbook=Playbook.objects.first(),
        contact=zoe,
        event=event,
        stage_at_start="lead",
        started_at=NOW,
    )
    tier_pin_set(contact=zoe, tier="gold", by=alice)
    # Copies outside her own rows: a friend's notes and purchase, a rate-limit key.
    friend = make_contact("Sam", "Friend", notes=f"Referred by {NAME} ({EMAIL}).")
    event_record(
        workspace=workspace,
        item=EventInput(
            type="purchase.made",
            occurred_at=NOW,
            source="shop",
            external_id="o-1",
            contact=ContactRef(id=friend.pk),
            data={"amount": "10", "gift_for": EMAIL.upper()},
        ),
    )
    RateLimit.objects.create(key=f"form:1:{EMAIL}", window_start=NOW, count=1)
    _campaign_sent_to(zoe, workspace, alice)
    # The spreadsheet she was imported from, kept by the importer with a rejected row.
    upload = f"Name,Email,Phone\n{NAME},{EMAIL},{PHONE}\nBad Row,not-an-email,\n"
    import_job_create(workspace=workspace, by=alice, file_name="book.csv", data=upload.encode())
    for name, data in _uploads_naming_her().items():
        import_job_create(workspace=workspace, by=alice, file_name=name, data=data)
    return zoe


def _campaign_sent_to(zoe, workspace, alice) -> None:  # type: ignore[no-untyped-def]
    workspace.postal_address = "12 Spoke Street\nPortland, OR 97201"
    workspace.save(update_fields=["postal_address"])
    template = template_create(
        workspace=workspace,
        fields={"name": "News", "subject": "Rides", "body_html": "<p>Hi</p>", "body_text": ""},
    )
    segment = segment_create(workspace=workspace, name="Clients", filters={"stages": ["client"]})
    campaign = campaign_create(
        workspace=workspace, by=alice, name="Winter rides", template=template, segment=segment
    )
    OutboxMessage.objects.create(
        workspace=workspace,
        campaign=campaign,
        run=1,
        contact=zoe,
        email=EMAIL,
        status=OutboxStatus.SENT,
        sent_at=NOW - timedelta(days=1),
        next_attempt_at=NOW - timedelta(days=1),
    )


def _uploads_naming_her() -> dict[str, bytes]:
    """Files whose bytes do not spell her out: a workbook (zipped), a UTF-16 CSV as Excel's
    "Unicode text" writes it, and a sheet that has only her phone, punctuated."""
    book = Workbook()
    for row in [["Name", "Email", "Phone"], *OTHERS, [NAME, EMAIL, PHONE]]:
        book.active.append(row)
    workbook = io.BytesIO()
    book.save(workbook)
    tab_separated = "\r\n".join("\t".join(r) for r in [["Name", "Email"], *OTHERS, [NAME, EMAIL]])
    punctuated = "\n".join(
        ",".join(r) for r in [["Name", "Phone"], *OTHERS, ["Z. R.", "(415) 555-0177"]]
    )
    return {
        "book.xlsx": workbook.getvalue(),
        "book-unicode.csv": tab_separated.encode("utf-16"),
        "phones.csv": punctuated.encode(),
    }


def _text(column: models.Field, value: object) -> str:
    if isinstance(value, bytes | memoryview):  # an uploaded file
        return _file_text(bytes(value))
    if column.get_internal_type() == "JSONField":
        return json.dumps(value, ensure_ascii=False)
    return str(value or "")


def _file_text(data: bytes) -> str:
    """An uploaded file's cells as the importer reads them, each also as its digits alone (a
    phone punctuated any way); the raw bytes of an XLSX or a UTF-16 file hide everything."""
    try:
        table = read_table(name="upload", data=data)
    except ValidationError:
        return data.decode("utf-8", "replace")
    cells = [cell for row in [table.header, *table.rows] for cell in row]
    return "\n".join(f"{cell} {''.join(c for c in cell if c.isdigit())}" for cell in cells)


def _traces_in_database(*needles: str) -> list[str]:
    """Every (table.column) of every model in the project whose text mentions a needle."""
    found = []
    lowered = [n.lower() for n in needles]
    for model in apps.get_models():
        columns = [
            f
            for f in model._meta.concrete_fields
            if isinstance(
                f, models.CharField | models.TextField | models.JSONField | models.BinaryField
            )
        ]
        for column in columns:
            for value in model._base_manager.values_list(column.attname, flat=True):
                text = _text(column, value)
                if any(n in text.lower() for n in lowered):
                    found.append(f"{model._meta.db_table}.{column.column}")
    return found


def test_it_leaves_no_trace_of_their_email_phone_or_name(zoe, alice) -> None:
    assert "transfer_importjob.data" in _traces_in_database(NATIONAL)  # the scan sees them
    assert "outreach_outboxmessage.email" in _traces_in_database(EMAIL)

    contact_erase(contact=zoe, by=alice)

    assert _traces_in_database(EMAIL, PHONE, PHONE.lstrip("+"), NATIONAL, NAME) == []
    assert not Contact.objects.filter(pk=zoe.pk).exists()


def test_the_campaign_keeps_its_record_without_her(zoe, alice) -> None:
    report = contact_erase(contact=zoe, by=alice)

    assert report.deleted["outreach.OutboxMessage"] == 1
    assert not OutboxMessage.objects.filter(email__iexact=EMAIL).exists()
    assert Campaign.objects.get().name == "Winter rides"


def test_it_keeps_a_suppression_digest_for_each_address(zoe, alice, workspace) -> None:
    report = contact_erase(contact=zoe, by=alice)

    digests = set(
        Suppression.objects.filter(workspace=workspace, reason="erased").values_list(
            "digest", flat=True
        )
    )
    assert digests == {address_digest(EMAIL), address_digest(PHONE)}
    assert report.suppressed == 2


def test_it_keeps_the_rest_of_other_peoples_records(zoe, alice) -> None:
    contact_erase(contact=zoe, by=alice)

    friend = Contact.objects.get(first_name="Sam")
    assert friend.notes == "Referred by [erased] ([erased])."
    assert friend.events.get().data == {"amount": "10", "gift_for": "[erased]"}


def test_it_keeps_an_earlier_unsubscribe_reason(zoe, alice, workspace) -> None:
    Suppression.objects.create(
        workspace=workspace, digest=address_digest(EMAIL), reason="unsubscribed"
    )
    contact_erase(contact=zoe, by=alice)
    assert Suppression.objects.get(digest=address_digest(EMAIL)).reason == "unsubscribed"


def test_it_is_for_owners_and_admins_only(zoe, bob) -> None:
    with pytest.raises(PermissionError):
        contact_erase(contact=zoe, by=bob)
    assert Contact.objects.filter(pk=zoe.pk).exists()
