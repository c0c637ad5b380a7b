"""Writes for workspaces, users, API tokens and rate limits."""

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import available_timezones

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from followthrough.accounts.models import ApiToken, RateLimit, Role, User, Workspace, hash_token
from followthrough.playbooks.engine import playbooks_install_defaults


@transaction.atomic
def workspace_create(*, name: str, timezone_name: str = "UTC", region: str = "US") -> Workspace:
    """A new business, with the default playbooks ready (each can be changed or switched off)."""
    workspace = Workspace(name=name, timezone=timezone_name, default_region=region)
    workspace.full_clean()
    workspace.save()
    playbooks_install_defaults(workspace=workspace)
    return workspace


@transaction.atomic
def user_create(
    *,
    workspace: Workspace,
    email: str,
    password: str | None,
    role: str = Role.MEMBER,
    first_name: str = "",
    last_name: str = "",
    check_password: bool = True,
) -> User:
    """A new member of `workspace`. The password is checked by the site's validators unless
    `check_password` is False (demo data). None leaves the user without a usable password."""
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email=email).exists():
        raise ValidationError({"email": f"A user with the email {email} already exists."})
    user = User(
        workspace=workspace,
        email=email,
        username=email,
        role=role,
        first_name=first_name,
        last_name=last_name,
    )
    if password is None:
        user.set_unusable_password()
    else:
        if check_password:
            validate_password(password, user)
        user.set_password(password)
    user.full_clean()
    user.save()
    return user


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token; returns the row and the raw token, which is shown once and never stored."""
    raw = ApiToken.new_raw()
    token = ApiToken.objects.create(
        user=user, name=name or "API token", digest=hash_token(raw), prefix=raw[3:11]
    )
    return token, raw


def api_token_revoke(*, token: ApiToken) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])


def api_token_authenticate(raw: str) -> User | None:
    token = (
        ApiToken.objects.filter(digest=hash_token(raw), revoked_at__isnull=True)
        .select_related("user__workspace")
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    # Written at most once a minute: a busy integration should not turn every read into a write.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def rate_limit_hit(
    *, key: str, limit: int, window_seconds: int, now: datetime | None = None
) -> bool:
    """Count one hit for `key` in a fixed window; True while the count stays within `limit`.

    The counter lives in the database so every web process sees the same count. The increment is
    a single UPDATE … SET count = count + 1, so concurrent hits are never lost.
    """
    now = now or timezone.now()
    window_start = now - timedelta(seconds=window_seconds)
    with transaction.atomic():
        row, created = RateLimit.objects.get_or_create(
            key=key, defaults={"window_start": now, "count": 1}
        )
        if created:
            return 1 <= limit
        if row.window_start < window_start:
            RateLimit.objects.filter(pk=row.pk).update(window_start=now, count=1)
            return 1 <= limit
        RateLimit.objects.filter(pk=row.pk).update(count=F("count") + 1)
        return row.count + 1 <= limit


def rate_limit_peek(
    *, key: str, limit: int, window_seconds: int, now: datetime | None = None
) -> bool:
    """True if `key` may still act (without counting a hit)."""
    now = now or timezone.now()
    row = RateLimit.objects.filter(key=key).first()
    if row is None or row.window_start < now - timedelta(seconds=window_seconds):
        return True
    return row.count < limit


def rate_limit_clear(*, key: str) -> None:
    RateLimit.objects.filter(key=key).delete()


WORKSPACE_FIELDS = (
    "name", "timezone", "holidays", "date_lead_days",
    "cadence_gold_days", "cadence_silver_days", "cadence_bronze_days", "cadence_other_days",
)
# (lowest, highest) for the numeric settings: a cadence longer than ten years is a typo.
_WORKSPACE_LIMITS = {
    "date_lead_days": (1, 90),
    **{f"cadence_{tier}_days": (1, 3650) for tier in ("gold", "silver", "bronze", "other")},
}


def _holidays(raw: object) -> tuple[list[str], str | None]:
    """ISO dates, sorted and without repeats; or the first entry that is not one."""
    days: set[date] = set()
    for item in raw if isinstance(raw, list | tuple) else [raw]:
        if isinstance(item, date):
            days.add(item)
            continue
        try:
            days.add(date.fromisoformat(str(item).strip()))
        except ValueError:
            return [], f"“{item}” is not a date: write it as YYYY-MM-DD."
    return [d.isoformat() for d in sorted(days)], None


def _workspace_errors(fields: dict[str, Any]) -> dict[str, str]:
    errors = {name: "Not a workspace setting." for name in fields if name not in WORKSPACE_FIELDS}
    if "name" in fields and not str(fields["name"] or "").strip():
        errors["name"] = "Give the business a name."
    elif len(str(fields.get("name", ""))) > 200:
        errors["name"] = "At most 200 characters."
    if "timezone" in fields and fields["timezone"] not in available_timezones():
        errors["timezone"] = f"Unknown time zone “{fields['timezone']}”; e.g. America/New_York."
    for name, (low, high) in _WORKSPACE_LIMITS.items():
        value = fields.get(name, low)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            errors[name] = f"A whole number from {low} to {high}."
    return errors


@transaction.atomic
def workspace_update(*, workspace: Workspace, fields: dict[str, Any]) -> Workspace:
    """Change the business's settings (any of WORKSPACE_FIELDS). Holidays are ISO dates.
    Raises ValidationError naming each bad field; nothing is saved then."""
    errors = _workspace_errors(fields)
    cleaned = dict(fields)
    if "holidays" in fields:
        cleaned["holidays"], problem = _holidays(fields["holidays"])
        if problem:
            errors["holidays"] = problem
    if errors:
        raise ValidationError({name: [message] for name, message in errors.items()})
    if "name" in cleaned:
        cleaned["name"] = str(cleaned["name"]).strip()
    for name, value in cleaned.items():
        setattr(workspace, name, value)
    workspace.save(update_fields=list(cleaned))
    return workspace
