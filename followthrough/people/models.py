"""People (DESIGN C1): contacts, organizations and what we know about how to reach them."""

from django.conf import settings
from django.db import models

from followthrough.accounts.models import Workspace
from followthrough.core.channels import Medium, Preference


class Stage(models.TextChoices):
    LEAD = "lead", "Lead"
    PROSPECT = "prospect", "Prospect"
    CLIENT = "client", "Client"
    LAPSED = "lapsed", "Lapsed"
    FORMER = "former", "Former"


class Source(models.TextChoices):
    CALL = "call", "Phone call"
    EMAIL = "email", "Email"
    WEB_FORM = "web_form", "Web form"
    REFERRAL = "referral", "Referral"
    EVENT = "event", "Event"
    WALK_IN = "walk_in", "Walk-in"
    IMPORT = "import", "Import"
    API = "api", "API"
    STRIPE = "stripe", "Stripe"
    SHOPIFY = "shopify", "Shopify"
    OTHER = "other", "Other"


class Tier(models.TextChoices):
    GOLD = "gold", "Gold"
    SILVER = "silver", "Silver"
    BRONZE = "bronze", "Bronze"
    NONE = "", "No tier"


# Sort order for the agenda: gold first, untiered last.
TIER_RANK = {Tier.GOLD: 0, Tier.SILVER: 1, Tier.BRONZE: 2, Tier.NONE: 3}

class PreferenceChoices(models.TextChoices):
    """core.channels.Preference as model choices (a test keeps the two in step)."""

    PREFERRED = "preferred", "Preferred"
    OK = "ok", "OK"
    REFUSED = "refused", "Refused"


class ConsentMethod(models.TextChoices):
    WEB_FORM = "web_form", "Web form"
    VERBAL = "verbal", "Verbal"
    WRITTEN = "written", "Written"
    EMAIL = "email", "By email"
    IMPORT = "import", "Imported with consent"


class Tag(models.Model):
    """An interest or label ("road cycling", "board member"); interests drive what we share."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    name = models.CharField(max_length=60)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="tag_unique_name"),
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Address(models.Model):
    street = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166 code, e.g. US")

    class Meta:
        abstract = True

    @property
    def address_lines(self) -> list[str]:
        city_line = " ".join(p for p in (self.city, self.region, self.postal_code) if p)
        return [line for line in (self.street, city_line, self.country) if line]


class Organization(Address):
    """A company or household we work with; its contacts share its history."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    name = models.CharField(max_length=200)
    website = models.URLField(blank=True)
    industry = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=20, blank=True, help_text="E.164")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tier = models.CharField(max_length=10, choices=Tier.choices, blank=True, default=Tier.NONE)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            # Organization list, sorted by name.
            models.Index(fields=["workspace", "name"], name="org_by_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Contact(Address):
    """A person: lead, prospect, client, lapsed or former. Never deleted for "not buying now"."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    title = models.CharField(max_length=100, blank=True, help_text="Job title")
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts"
    )
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.LEAD)
    source = models.CharField(max_length=10, choices=Source.choices, blank=True)
    referred_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tier = models.CharField(max_length=10, choices=Tier.choices, blank=True, default=Tier.NONE)
    influence = models.BooleanField(
        default=False, help_text="Opinion leader or referrer: matters beyond their own orders."
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="contacts")
    external_id = models.CharField(max_length=100, blank=True)

    # How they like to be reached (DESIGN principle 1). Days are 0=Monday … 6=Sunday, in their
    # time zone; an empty list means weekdays only.
    pref_phone = models.CharField(max_length=10, choices=PreferenceChoices.choices, default="ok")
    pref_text = models.CharField(max_length=10, choices=PreferenceChoices.choices, default="ok")
    pref_email = models.CharField(max_length=10, choices=PreferenceChoices.choices, default="ok")
    pref_mail = models.CharField(max_length=10, choices=PreferenceChoices.choices, default="ok")
    pref_in_person = models.CharField(
        max_length=10, choices=PreferenceChoices.choices, default="ok"
    )
    pref_social = models.CharField(max_length=10, choices=PreferenceChoices.choices, default="ok")
    best_days = models.JSONField(default=list, blank=True)
    best_hours_start = models.TimeField(null=True, blank=True)
    best_hours_end = models.TimeField(null=True, blank=True)
    timezone = models.CharField(max_length=64, blank=True, help_text="Blank: the workspace's.")
    max_touches_per_month = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Frequency cap: at most this many touches in 30 days."
    )
    cadence_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Blank: the default for their tier."
    )

    marketing_consent = models.BooleanField(default=False)
    consent_at = models.DateTimeField(null=True, blank=True)
    consent_method = models.CharField(max_length=10, choices=ConsentMethod.choices, blank=True)
    consent_wording = models.TextField(blank=True)

    review_flag = models.BooleanField(default=False, help_text="Flagged in the review buckets.")
    notes = models.TextField(blank=True)

    # Derived from the tracking log by activity.services; never edited by hand.
    last_touched_at = models.DateTimeField(null=True, blank=True)
    last_heard_at = models.DateTimeField(null=True, blank=True)
    # Lower-cased name, emails, phones, organization and tags: one LIKE serves the search box.
    search_text = models.TextField(blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            # Contact list sorted by name. On SQLite it also carries search_text (migration
            # people 0002), so the search box's LIKE is checked inside the index.
            models.Index(fields=["workspace", "last_name", "first_name"], name="contact_by_name"),
            # Review buckets and the neglected report (by stage, by last touch).
            models.Index(fields=["workspace", "stage", "last_touched_at"], name="contact_by_touch"),
            # The neglected report's count, from the index alone (no table reads).
            models.Index(
                fields=["workspace", "stage", "tier", "cadence_days", "last_touched_at",
                        "created_at"],
                name="contact_neglect",
            ),
            # Finding a person from an event or import.
            models.Index(fields=["workspace", "external_id"], name="contact_by_external_id"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p) or "(no name)"

    def preferences(self) -> dict[Medium, Preference]:
        return {medium: Preference(getattr(self, f"pref_{medium.value}")) for medium in Medium}


class ContactEmail(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="emails")
    email = models.EmailField(help_text="Stored lower-cased.")
    label = models.CharField(max_length=20, blank=True)
    is_primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_primary", "id"]
        indexes = [
            # Duplicate warning and event matching by email.
            models.Index(fields=["workspace", "email"], name="email_lookup"),
        ]

    def __str__(self) -> str:
        return self.email


class ContactPhone(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(max_length=20, help_text="E.164, e.g. +14155550100")
    label = models.CharField(max_length=20, blank=True, help_text="mobile, work, home…")
    is_primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_primary", "id"]
        indexes = [
            # Duplicate warning and event matching by phone.
            models.Index(fields=["workspace", "number"], name="phone_lookup"),
        ]

    def __str__(self) -> str:
        return self.number


class DateKind(models.TextChoices):
    BIRTHDAY = "birthday", "Birthday"
    CLIENT_SINCE = "client_since", "Client since"
    CUSTOM = "custom", "Other yearly date"


class ImportantDate(models.Model):
    """A yearly date worth a touch. The year is optional (birthdays often come without one)."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="dates")
    kind = models.CharField(max_length=15, choices=DateKind.choices)
    label = models.CharField(max_length=100, blank=True)
    month = models.PositiveSmallIntegerField()
    day = models.PositiveSmallIntegerField()
    year = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["month", "day"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12, day__gte=1, day__lte=31),
                name="importantdate_valid_month_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.month:02d}-{self.day:02d}"
