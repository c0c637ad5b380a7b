"""Forms for contacts and organizations. They turn what a person typed into the values
people.services expects; the services keep the rules and name the field when something is wrong."""

import re
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import QuerySet
from django.http import Http404

from followthrough.access import access_contact
from followthrough.accounts.models import User, Workspace
from followthrough.accounts.selectors import user_list
from followthrough.core.cadence import BUCKET_LABELS
from followthrough.core.channels import Medium
from followthrough.people.models import (
    ConsentMethod,
    Contact,
    DateKind,
    Organization,
    PreferenceChoices,
    Source,
    Stage,
    Tier,
)
from followthrough.people.selectors import contact_duplicates, organization_list
from followthrough.people.services import (
    DateInput,
    PhoneInput,
    known_timezones,
    phone_display,
    phone_normalize,
)

WEEKDAY_CHOICES = [(str(i), name) for i, name in enumerate(
    ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])]
MEDIUM_LABELS = {Medium.PHONE: "Phone call", Medium.TEXT: "Text message", Medium.EMAIL: "Email",
                 Medium.MAIL: "Mail", Medium.IN_PERSON: "In person", Medium.SOCIAL: "Social media"}
COMMON_TIMEZONES = [
    "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
    "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu", "America/Toronto",
    "America/Vancouver", "America/Mexico_City", "America/Sao_Paulo", "Europe/London",
    "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Berlin", "Europe/Madrid",
    "Europe/Rome", "Europe/Amsterdam", "Europe/Stockholm", "Europe/Athens", "Africa/Johannesburg",
    "Asia/Dubai", "Asia/Kolkata", "Asia/Singapore", "Asia/Shanghai", "Asia/Tokyo",
    "Australia/Sydney", "Pacific/Auckland", "UTC",
]
_YEARLY = re.compile(r"^(?:(\d{4})[-/])?(\d{1,2})[-/](\d{1,2})$")
_REFERRER = re.compile(r"^#?(\d+)\b")
# A second birthday cannot go in the birthday box; typed as "Birthday: 04-12" it stays a birthday.
_KIND_BY_LABEL = {str(DateKind.BIRTHDAY.label).lower(): DateKind.BIRTHDAY,
                  str(DateKind.CLIENT_SINCE.label).lower(): DateKind.CLIENT_SINCE}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _textarea(rows: int = 2, **attrs: str) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": str(rows), **attrs})


def _time() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _preference_field() -> forms.ChoiceField:
    return forms.ChoiceField(choices=PreferenceChoices.choices, initial="ok",
                             widget=forms.RadioSelect)


def _parse_yearly(text: str) -> tuple[int, int, int | None]:
    """"04-12", "4/12" or "1985-04-12" as (month, day, year or None)."""
    match = _YEARLY.match(text.strip())
    if not match:
        raise ValidationError(f"“{text}”: write the date as MM-DD or YYYY-MM-DD.")
    year = int(match[1]) if match[1] else None
    month, day = int(match[2]), int(match[3])
    try:
        # 2000 is a leap year, so 29 February is accepted when the year is unknown.
        date(year or 2000, month, day)
    except ValueError:
        raise ValidationError(f"“{text}” is not a date.") from None
    return month, day, year


def _yearly_text(item: DateInput) -> str:
    text = f"{item.month:02d}-{item.day:02d}"
    return f"{item.year:04d}-{text}" if item.year else text


class ContactForm(forms.Form):
    first_name = forms.CharField(required=False, max_length=100)
    last_name = forms.CharField(required=False, max_length=100)
    title = forms.CharField(required=False, max_length=100, label="Job title")
    organization = forms.ModelChoiceField(queryset=Organization.objects.none(), required=False,
                                          empty_label="—")
    stage = forms.ChoiceField(choices=Stage.choices, initial=Stage.LEAD)
    source = forms.ChoiceField(choices=[("", "—"), *Source.choices], required=False)
    referred_by = forms.CharField(
        required=False, label="Referred by",
        help_text="Type a name to pick someone, or give their email address.",
        widget=forms.TextInput(attrs={"list": "referrer-options", "autocomplete": "off"}),
    )
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False,
                                   empty_label="Nobody")
    tier = forms.ChoiceField(choices=Tier.choices, required=False)
    influence = forms.BooleanField(required=False, label="Opinion leader or referrer")
    tags = forms.CharField(required=False, label="Interests and tags",
                           help_text="Separated by commas.")
    emails = forms.CharField(required=False, widget=_textarea(), help_text="One per line.")
    phones = forms.CharField(
        required=False, widget=_textarea(),
        help_text="One per line, a label first if you like: “mobile: 415 555 0100”.",
    )
    birthday = forms.CharField(required=False, help_text="MM-DD or YYYY-MM-DD.",
                               widget=forms.TextInput(attrs={"placeholder": "MM-DD"}))
    client_since = forms.CharField(required=False, help_text="YYYY-MM-DD or MM-DD.",
                                   widget=forms.TextInput(attrs={"placeholder": "YYYY-MM-DD"}))
    other_dates = forms.CharField(
        required=False, widget=_textarea(), label="Other yearly dates",
        help_text="One per line: “Shop anniversary: 2019-05-01” or “Name day: 07-26”.",
    )
    street = forms.CharField(required=False, max_length=200)
    city = forms.CharField(required=False, max_length=100)
    region = forms.CharField(required=False, max_length=100, label="State / region")
    postal_code = forms.CharField(required=False, max_length=20)
    country = forms.CharField(required=False, max_length=2, help_text="Two letters, e.g. US.")
    pref_phone = _preference_field()
    pref_text = _preference_field()
    pref_email = _preference_field()
    pref_mail = _preference_field()
    pref_in_person = _preference_field()
    pref_social = _preference_field()
    best_days = forms.MultipleChoiceField(
        choices=WEEKDAY_CHOICES, required=False, widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: weekdays.",
    )
    best_hours_start = forms.TimeField(required=False, label="Best hours from", widget=_time())
    best_hours_end = forms.TimeField(required=False, label="until", widget=_time())
    timezone = forms.CharField(
        required=False, max_length=64, label="Their time zone",
        help_text="Blank: the business's.", widget=forms.TextInput(attrs={"list": "timezones"}),
    )
    max_touches_per_month = forms.IntegerField(required=False, min_value=1, max_value=100,
                                               label="At most … touches in 30 days")
    cadence_days = forms.IntegerField(required=False, min_value=1, max_value=3650,
                                      label="Touch at least every … days",
                                      help_text="Blank: the default for their tier.")
    marketing_consent = forms.BooleanField(required=False, label="Agreed to marketing email")
    consent_at = forms.DateTimeField(
        required=False, label="When",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    consent_method = forms.ChoiceField(choices=[("", "—"), *ConsentMethod.choices],
                                       required=False, label="How")
    consent_wording = forms.CharField(required=False, widget=_textarea(),
                                      label="Wording they agreed to")
    notes = forms.CharField(required=False, widget=_textarea(4))
    # Ids of the possible duplicates the person has seen and chose to create anyway.
    duplicates_seen = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, workspace: Workspace, contact: Contact | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.contact = contact
        self.fields["organization"].queryset = (  # type: ignore[attr-defined]
            organization_list(workspace=workspace))
        self.fields["owner"].queryset = user_list(workspace=workspace)  # type: ignore[attr-defined]

    @property
    def preference_fields(self) -> list[tuple[str, forms.BoundField]]:
        return [(label, self[f"pref_{medium.value}"]) for medium, label in MEDIUM_LABELS.items()]

    def clean_referred_by(self) -> Contact | None:
        text = self.cleaned_data["referred_by"].strip()
        if not text:
            return None
        match = _REFERRER.match(text)
        if match:
            try:
                return access_contact(workspace=self.workspace, contact_id=match[1])
            except Http404:
                raise ValidationError(f"No contact #{match[1]} here.") from None
        if "@" in text:
            found = contact_duplicates(workspace=self.workspace, emails=[text], phones=[])
            if found:
                return found[0]
            raise ValidationError(f"Nobody here has the email address {text}.")
        raise ValidationError("Pick someone from the list, or give their email address.")

    def clean_tags(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data["tags"].split(",") if t.strip()]

    def clean_emails(self) -> list[str]:
        emails = _lines(self.cleaned_data["emails"])
        for email in emails:
            try:
                validate_email(email)
            except ValidationError:
                raise ValidationError(f"“{email}” is not a valid email address.") from None
        return emails

    def clean_phones(self) -> list[PhoneInput]:
        phones = []
        for line in _lines(self.cleaned_data["phones"]):
            label, sep, number = line.rpartition(":")
            phones.append(PhoneInput(number.strip(), label.strip()) if sep else PhoneInput(line))
        return phones

    def clean_birthday(self) -> list[DateInput]:
        return self._yearly(self.cleaned_data["birthday"], DateKind.BIRTHDAY)

    def clean_client_since(self) -> list[DateInput]:
        return self._yearly(self.cleaned_data["client_since"], DateKind.CLIENT_SINCE)

    def clean_other_dates(self) -> list[DateInput]:
        dates = []
        for line in _lines(self.cleaned_data["other_dates"]):
            label, _, text = line.rpartition(":")
            label = label.strip()
            kind = _KIND_BY_LABEL.get(label.lower(), DateKind.CUSTOM)
            dates += self._yearly(text, kind, label=label if kind == DateKind.CUSTOM else "")
        return dates

    @staticmethod
    def _yearly(text: str, kind: str, label: str = "") -> list[DateInput]:
        if not text.strip():
            return []
        month, day, year = _parse_yearly(text)
        return [DateInput(kind=kind, month=month, day=day, year=year, label=label[:100])]

    def clean_country(self) -> str:
        return str(self.cleaned_data["country"]).strip().upper()

    def clean_timezone(self) -> str:
        name = str(self.cleaned_data["timezone"]).strip()
        if name and name not in known_timezones():
            raise ValidationError(f"Unknown time zone “{name}”; pick one from the list.")
        return name

    def clean_best_days(self) -> list[int]:
        return sorted(int(d) for d in self.cleaned_data["best_days"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # Read numbers without a country code in the contact's country, like the service does,
        # so a mistyped number is reported before the duplicate check looks for it.
        region = data.get("country") or self.workspace.default_region
        for phone in data.get("phones", []):
            try:
                phone_normalize(phone.number, region=region)
            except ValueError as error:
                self.add_error("phones", str(error))
                break
        return data

    # What the services take.
    FIELD_NAMES = (
        "first_name", "last_name", "title", "organization", "stage", "source", "referred_by",
        "owner", "tier", "influence", "street", "city", "region", "postal_code", "country",
        "pref_phone", "pref_text", "pref_email", "pref_mail", "pref_in_person", "pref_social",
        "best_days", "best_hours_start", "best_hours_end", "timezone", "max_touches_per_month",
        "cadence_days", "marketing_consent", "consent_at", "consent_method", "consent_wording",
        "notes",
    )

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "fields": {name: data[name] for name in self.FIELD_NAMES},
            "emails": data["emails"],
            "phones": data["phones"],
            "tags": data["tags"],
            "dates": data["birthday"] + data["client_since"] + data["other_dates"],
        }

    def duplicates(self) -> list[Contact]:
        """Contacts that already have one of the typed emails or phones and that the person has
        not yet seen in a warning."""
        region = self.cleaned_data.get("country") or self.workspace.default_region
        phones = [phone_normalize(p.number, region=region) for p in self.cleaned_data["phones"]]
        found = contact_duplicates(
            workspace=self.workspace, emails=self.cleaned_data["emails"], phones=phones,
            exclude_id=self.contact.pk if self.contact else None,
        )
        seen = set(self.cleaned_data.get("duplicates_seen", "").split(","))
        return [c for c in found if str(c.pk) not in seen]


def contact_initial(contact: Contact) -> dict[str, Any]:
    """The form's starting values for editing `contact`."""
    initial: dict[str, Any] = {name: getattr(contact, name) for name in ContactForm.FIELD_NAMES}
    initial["best_days"] = [str(d) for d in contact.best_days or []]
    referrer = contact.referred_by
    initial["referred_by"] = f"#{referrer.pk} {referrer.name}" if referrer else ""
    initial["tags"] = ", ".join(t.name for t in contact.tags.all())
    initial["emails"] = "\n".join(e.email for e in contact.emails.all())
    initial["phones"] = "\n".join(
        f"{p.label}: {phone_display(p.number)}" if p.label else phone_display(p.number)
        for p in contact.phones.all()
    )
    dates = [DateInput(d.kind, d.month, d.day, d.year, d.label) for d in contact.dates.all()]
    by_kind = {kind: [d for d in dates if d.kind == kind] for kind in DateKind.values}
    initial["birthday"] = next((_yearly_text(d) for d in by_kind[DateKind.BIRTHDAY]), "")
    initial["client_since"] = next((_yearly_text(d) for d in by_kind[DateKind.CLIENT_SINCE]), "")
    # One date fits in each box; further ones go to the lines below, named by their kind.
    extra = by_kind[DateKind.BIRTHDAY][1:] + by_kind[DateKind.CLIENT_SINCE][1:]
    initial["other_dates"] = "\n".join(
        f"{d.label or DateKind(d.kind).label}: {_yearly_text(d)}"
        for d in extra + by_kind[DateKind.CUSTOM]
    )
    return initial


TIER_FILTER_CHOICES = [("", "Any tier"), *[(t.value, t.label) for t in Tier if t.value],
                       ("none", "No tier")]


class ContactFilterForm(forms.Form):
    """The search box and filters of the contact list. Values that do not parse are ignored."""

    q = forms.CharField(required=False, label="Search")
    stage = forms.ChoiceField(choices=[("", "Any stage"), *Stage.choices], required=False)
    tier = forms.ChoiceField(choices=TIER_FILTER_CHOICES, required=False)
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False,
                                   empty_label="Any owner")
    tag = forms.CharField(required=False, widget=forms.TextInput(attrs={"list": "tag-options"}))
    touched = forms.ChoiceField(
        choices=[("", "Any last touch"), *[(b.value, label) for b, label in BUCKET_LABELS.items()]],
        required=False, label="Last touched",
    )
    flagged = forms.BooleanField(required=False, label="Flagged for review")

    def __init__(self, *args: Any, members: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = members  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        self.is_valid()
        data = self.cleaned_data
        tier = data.get("tier") or None
        return {
            "query": data.get("q", ""), "stage": data.get("stage", ""),
            "tier": "" if tier == "none" else tier, "owner": data.get("owner"),
            "tag": data.get("tag", "").strip(), "touched": data.get("touched", ""),
            "flagged": bool(data.get("flagged")),
        }


class OrganizationForm(forms.Form):
    name = forms.CharField(max_length=200)
    website = forms.URLField(required=False, assume_scheme="https")
    industry = forms.CharField(required=False, max_length=100)
    phone = forms.CharField(required=False, max_length=40)
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False,
                                   empty_label="Nobody")
    tier = forms.ChoiceField(choices=Tier.choices, required=False)
    street = forms.CharField(required=False, max_length=200)
    city = forms.CharField(required=False, max_length=100)
    region = forms.CharField(required=False, max_length=100, label="State / region")
    postal_code = forms.CharField(required=False, max_length=20)
    country = forms.CharField(required=False, max_length=2, help_text="Two letters, e.g. US.")
    notes = forms.CharField(required=False, widget=_textarea(4))

    def __init__(self, *args: Any, members: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = members  # type: ignore[attr-defined]

    def clean_country(self) -> str:
        return str(self.cleaned_data["country"]).strip().upper()

    def service_fields(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


def organization_initial(organization: Organization) -> dict[str, Any]:
    initial = {name: getattr(organization, name) for name in OrganizationForm.base_fields}
    initial["phone"] = phone_display(organization.phone) if organization.phone else ""
    return initial

