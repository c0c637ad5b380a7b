"""Outreach (DESIGN C6): who must never be mailed again, and why."""

import hashlib

from django.db import models

from followthrough.accounts.models import Workspace


def address_digest(address: str) -> str:
    """The SHA-256 of a normalized email address or E.164 phone number.

    Suppressions keep only this digest, so erasing a person (C7) leaves no readable trace of
    their address while a re-import of the same address is still recognized and kept out of
    campaigns.
    """
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()


class SuppressionReason(models.TextChoices):
    UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
    BOUNCED = "bounced", "Address rejected (5xx)"
    COMPLAINED = "complained", "Marked as spam"
    ERASED = "erased", "Personal data erased"
    MANUAL = "manual", "Added by a user"


class Suppression(models.Model):
    """An address that no campaign may send to, whoever it belongs to now."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    digest = models.CharField(max_length=64, help_text="address_digest() of the email or phone.")
    reason = models.CharField(max_length=20, choices=SuppressionReason.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # One row per address: the campaign audience check is a lookup on this pair.
            models.UniqueConstraint(fields=["workspace", "digest"], name="suppression_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.digest[:12]}… ({self.reason})"
