"""Workspaces (one per business), their users, API tokens and the rate-limit counters."""

import hashlib
import secrets
from datetime import date
from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import MaxValueValidator
from django.db import models


class Workspace(models.Model):
    """One business. Every other row belongs to exactly one workspace (the shard key)."""

    name = models.CharField(max_length=200)
    timezone = models.CharField(max_length=64, default="UTC")
    # Region used to read phone numbers written without a country code ("(415) 555-0100").
    default_region = models.CharField(max_length=2, default="US")
    postal_address = models.TextField(blank=True)
    # Longest a contact may go untouched, by tier (DESIGN "Cadence"); a contact may override it.
    cadence_gold_days = models.PositiveIntegerField(default=30)
    cadence_silver_days = models.PositiveIntegerField(default=60)
    cadence_bronze_days = models.PositiveIntegerField(default=90)
    cadence_other_days = models.PositiveIntegerField(default=180)
    # Days the business is closed (ISO dates): business-day offsets and slots skip them.
    holidays = models.JSONField(default=list, blank=True)
    # How many days ahead of a birthday or anniversary the engine plans the card.
    date_lead_days = models.PositiveSmallIntegerField(default=7)
    # The secret in the reply address (reply+<token>@…) that forwarded replies are sent to. Kept
    # readable, unlike API tokens: the address has to be shown again whenever someone sets up a
    # forwarding rule. Null until first asked for.
    inbound_token = models.CharField(max_length=40, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name

    @property
    def inbound_address(self) -> str | None:
        """The reply address (reply+<token>@<domain>) replies are forwarded to; None until made."""
        # Imported here: the address format belongs to outreach, which imports this module.
        from followthrough.outreach.extras.inbound import inbound_address

        return inbound_address(workspace=self)

    def holiday_dates(self) -> frozenset[date]:
        return frozenset(date.fromisoformat(d) for d in self.holidays or ())

    def cadence_days(self, tier: str) -> int:
        return {
            "gold": self.cadence_gold_days,
            "silver": self.cadence_silver_days,
            "bronze": self.cadence_bronze_days,
        }.get(tier, self.cadence_other_days)


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    MEMBER = "member", "Member"


class User(AbstractUser):
    """A person who works in one workspace. Logs in with their email address."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="users")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    email = models.EmailField(unique=True)
    timezone = models.CharField(max_length=64, blank=True, help_text="Blank: the workspace's.")
    # The daily digest (DESIGN C3): sent once per local day, in the hour chosen here.
    digest_enabled = models.BooleanField(default=True)
    digest_hour = models.PositiveSmallIntegerField(
        default=7, validators=[MaxValueValidator(23)], help_text="Hour of the day, local time."
    )
    # The local day of the last digest sent: what makes the 15-minute task send it only once.
    last_digest_on = models.DateField(null=True, blank=True)
    # SHA-256 of the secret in the calendar feed URL; the raw token is shown once. Null: no feed.
    calendar_token_digest = models.CharField(max_length=64, null=True, blank=True, unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["username"]
    objects = UserManager()  # type: ignore[misc]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @property
    def is_admin(self) -> bool:
        return self.role in (Role.OWNER, Role.ADMIN)

    @property
    def local_timezone(self) -> str:
        return self.timezone or self.workspace.timezone


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the raw token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text="First characters, to tell tokens apart.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def new_raw() -> str:
        """A new token. Its prefix (shown in lists, typed after `token --revoke`) never starts
        with "-", which the command line would read as an option."""
        while True:
            raw = "ft_" + secrets.token_urlsafe(32)
            if raw[3] != "-":
                return raw


class RateLimit(models.Model):
    """A fixed-window counter shared by every web process (login throttling, public endpoints)."""

    key = models.CharField(max_length=200, unique=True)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
