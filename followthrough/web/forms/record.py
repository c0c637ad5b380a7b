"""Recording what happened from the contact page: a purchase, a service visit, an invoice (and
its payment), a project put on hold. Each form parses what was typed into an EventInput; the
rules on event data live in core.event_types and events.services."""

import uuid
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from followthrough.events.services import ContactRef, EventInput
from followthrough.people.models import Contact
from followthrough.web.forms.activity import DateInput

SOURCE = "ui"
# A currency for amounts typed in the UI, from the business's country (else none is stored).
CURRENCY_OF_REGION = {"US": "usd", "CA": "cad", "GB": "gbp", "AU": "aud", "NZ": "nzd",
                      "IE": "eur", "FR": "eur", "DE": "eur", "ES": "eur", "IT": "eur",
                      "NL": "eur", "BE": "eur", "AT": "eur", "PT": "eur", "FI": "eur"}


def _amount(required: bool = False) -> forms.DecimalField:
    return forms.DecimalField(
        required=required, min_value=Decimal(0), max_digits=12, decimal_places=2, label="Amount",
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


def _day(label: str, *, required: bool = True) -> forms.DateField:
    return forms.DateField(required=required, widget=DateInput, label=label)


class RecordForm(forms.Form):
    """One kind of event typed on the contact page."""

    event_type: ClassVar[str]
    # Where a service error about the event's data ("data.amount") belongs on this form.
    RENAME: ClassVar[dict[str, str]] = {}

    def __init__(self, *args: Any, contact: Contact, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", self.kind)
        super().__init__(*args, **kwargs)
        self.contact = contact

    @property
    def kind(self) -> str:
        return KIND_OF[type(self)]

    def event_data(self) -> dict[str, Any]:
        raise NotImplementedError

    def occurred_at(self, now: datetime) -> datetime:
        return now

    def what(self) -> str:
        """How the message names what was recorded: "a purchase"."""
        raise NotImplementedError

    def event_input(self, *, now: datetime) -> EventInput:
        return EventInput(
            type=self.event_type, source=SOURCE, external_id=uuid.uuid4().hex,
            occurred_at=self.occurred_at(now), contact=ContactRef(id=self.contact.pk),
            data=self.event_data(),
        )

    def _money(self, data: dict[str, Any]) -> dict[str, Any]:
        amount = self.cleaned_data.get("amount")
        if amount is None:
            return data
        currency = CURRENCY_OF_REGION.get(self.contact.workspace.default_region)
        return {**data, "amount": str(amount), **({"currency": currency} if currency else {})}


class PastDayMixin(forms.Form):
    """An "on" day that defaults to today and cannot be in the future."""

    on = _day("On")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate

    def clean_on(self) -> date:
        day: date = self.cleaned_data["on"]
        if day > timezone.localdate():
            raise ValidationError("This cannot be in the future: record it when it happens.")
        return day

    def occurred_at(self, now: datetime) -> datetime:
        day = self.cleaned_data["on"]
        if day == timezone.localdate(now):
            return now
        # Noon keeps the day the same for a contact a few time zones away.
        return datetime.combine(day, time(12), tzinfo=timezone.get_current_timezone())


class PurchaseForm(PastDayMixin, RecordForm):
    amount = _amount()
    items = forms.CharField(
        required=False, max_length=500, label="What they bought",
        widget=forms.TextInput(attrs={"placeholder": "e.g. gravel bike, lights"}),
        help_text="Separated by commas.",
    )

    event_type = "purchase.made"
    RENAME: ClassVar[dict[str, str]] = {"data.amount": "amount", "occurred_at": "on"}

    def event_data(self) -> dict[str, Any]:
        items = [i.strip() for i in self.cleaned_data["items"].split(",") if i.strip()]
        return self._money({"items": items} if items else {})

    def what(self) -> str:
        return "a purchase"


class ServiceForm(PastDayMixin, RecordForm):
    note = forms.CharField(
        max_length=1000, label="What was done",
        error_messages={"required": "Say what the visit or call was about."},
        widget=forms.TextInput(attrs={"placeholder": "e.g. Tune-up, new chain"}),
    )

    event_type = "service.interaction"
    RENAME: ClassVar[dict[str, str]] = {"occurred_at": "on"}

    def event_data(self) -> dict[str, Any]:
        return {"note": self.cleaned_data["note"].strip()}

    def what(self) -> str:
        return "a service visit"


class InvoiceForm(RecordForm):
    invoice_id = forms.CharField(
        max_length=60, label="Invoice number",
        error_messages={"required": "Give the invoice number, as on the invoice."},
        widget=forms.TextInput(attrs={"placeholder": "e.g. SC-0042"}),
    )
    amount = _amount()
    due_date = _day("Due on")

    event_type = "invoice.issued"
    RENAME: ClassVar[dict[str, str]] = {"data.invoice_id": "invoice_id",
                                        "data.due_date": "due_date", "data.amount": "amount"}

    def clean_invoice_id(self) -> str:
        return str(self.cleaned_data["invoice_id"]).strip()

    def event_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return self._money({"invoice_id": data["invoice_id"],
                            "due_date": data["due_date"].isoformat()})

    def what(self) -> str:
        return f"invoice {self.cleaned_data['invoice_id']}"


class PaidForm(PastDayMixin, RecordForm):
    invoice_id = forms.CharField(max_length=60, widget=forms.HiddenInput)

    event_type = "invoice.paid"
    RENAME: ClassVar[dict[str, str]] = {"occurred_at": "on", "data.invoice_id": "on"}

    def event_data(self) -> dict[str, Any]:
        return {"invoice_id": self.cleaned_data["invoice_id"]}

    def what(self) -> str:
        return f"the payment of invoice {self.cleaned_data['invoice_id']}"


class OnHoldForm(RecordForm):
    revisit_on = _day("Revisit on")
    note = forms.CharField(
        required=False, max_length=500, label="What they expect",
        widget=forms.TextInput(attrs={"placeholder": "e.g. New fleet budget in spring"}),
    )

    event_type = "need.expected"
    RENAME: ClassVar[dict[str, str]] = {"data.revisit_on": "revisit_on"}

    def clean_revisit_on(self) -> date:
        day: date = self.cleaned_data["revisit_on"]
        if day <= timezone.localdate():
            raise ValidationError("Pick a day after today: when should we come back to it?")
        return day

    def event_data(self) -> dict[str, Any]:
        note = self.cleaned_data["note"].strip() or "the project they put on hold"
        return {"revisit_on": self.cleaned_data["revisit_on"].isoformat(), "note": note}

    def what(self) -> str:
        return "the project on hold"


RECORD_FORMS: dict[str, type[RecordForm]] = {
    "purchase": PurchaseForm,
    "service": ServiceForm,
    "invoice": InvoiceForm,
    "paid": PaidForm,
    "hold": OnHoldForm,
}
KIND_OF = {form: kind for kind, form in RECORD_FORMS.items()}
