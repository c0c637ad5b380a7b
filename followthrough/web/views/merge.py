"""Duplicate review and merge (DESIGN C1): pairs that look like one person, and a side-by-side
screen to choose, field by field, what the merged contact keeps."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from followthrough.access import access_contact
from followthrough.people.merge import (
    FIELD_GROUPS,
    KEEP,
    OTHER,
    contact_merge,
    merge_suggested_choices,
)
from followthrough.people.models import Contact
from followthrough.people.selectors import contact_merge_candidates
from followthrough.web.views.common import MemberRequest, member_view


@member_view
@require_GET
def merge_review(request: MemberRequest) -> HttpResponse:
    candidates = contact_merge_candidates(workspace=request.user.workspace)
    return render(request, "web/pages/merge_review.html", {"candidates": candidates})


def _preferences(contact: Contact) -> str:
    """Only what differs from the defaults: "email preferred, phone refused, 09:00–12:00"."""
    parts = [
        f"{medium.value.replace('_', ' ')} {pref.value}"
        for medium, pref in contact.preferences().items()
        if pref.value != "ok"
    ]
    if contact.best_hours_start and contact.best_hours_end:
        parts.append(f"{contact.best_hours_start:%H:%M}–{contact.best_hours_end:%H:%M}")
    if contact.best_days:
        parts.append("days " + ", ".join(str(d) for d in contact.best_days))
    if contact.timezone:
        parts.append(contact.timezone)
    if contact.max_touches_per_month:
        parts.append(f"at most {contact.max_touches_per_month} touches a month")
    return "; ".join(parts)


def _consent(contact: Contact) -> str:
    if not contact.marketing_consent:
        return "no"
    when = f" on {contact.consent_at:%Y-%m-%d}" if contact.consent_at else ""
    how = f" ({contact.get_consent_method_display().lower()})" if contact.consent_method else ""
    return f"yes{when}{how}"


SHOWN: dict[str, Any] = {
    "name": lambda c: c.name,
    "address": lambda c: ", ".join(c.address_lines),
    "preferences": _preferences,
    "consent": _consent,
}


def _shown(contact: Contact, group: str) -> str:
    """A field group's value as the screen shows it."""
    if group in SHOWN:
        return str(SHOWN[group](contact))
    name = FIELD_GROUPS[group][1][0]
    value: Any = getattr(contact, name)
    display = getattr(contact, f"get_{name}_display", None)
    if display is not None and value:
        value = display()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Contact):
        return value.name
    return "" if value is None else str(value)


def _rows(keep: Contact, other: Contact, choices: dict[str, str]) -> list[dict[str, Any]]:
    """One row per field group where the two records differ (the same value needs no choice)."""
    rows = []
    for group, (label, _) in FIELD_GROUPS.items():
        kept, merged = _shown(keep, group), _shown(other, group)
        if kept != merged:
            rows.append(
                {
                    "group": group,
                    "label": label,
                    "keep": kept,
                    "other": merged,
                    "choice": choices.get(group, KEEP),
                }
            )
    return rows


@member_view
@require_http_methods(["GET", "POST"])
def merge_compare(request: MemberRequest, keep_id: int, other_id: int) -> HttpResponse:
    workspace = request.user.workspace
    keep = access_contact(workspace=workspace, contact_id=keep_id)
    other = access_contact(workspace=workspace, contact_id=other_id)
    choices = merge_suggested_choices(keep=keep, other=other)
    errors: list[str] = []
    if request.method == "POST":
        choices = {g: request.POST.get(f"choice_{g}", KEEP) for g in FIELD_GROUPS}
        try:
            report = contact_merge(keep=keep, other=other, choices=choices, by=request.user)
        except ValidationError as error:
            errors = error.messages
        else:
            moved = sum(report.moved.values())
            text = f"Merged into {report.contact.name}: {moved} linked record(s) moved."
            if report.skipped_followups:
                text += (
                    f" {report.skipped_followups} open follow-up(s) duplicated one already "
                    "open and were skipped (still on the timeline)."
                )
            messages.success(request, text)
            return redirect("web:contact", contact_id=keep.pk)
    rows = _rows(keep, other, choices)
    context = {
        "same": len(FIELD_GROUPS) - len(rows),
        "keep": keep,
        "other": other,
        "rows": rows,
        "KEEP": KEEP,
        "OTHER": OTHER,
        "errors": errors,
        "pair": [(keep, _details(keep), "Kept"), (other, _details(other), "Merged in")],
    }
    return render(request, "web/pages/merge_compare.html", context, status=422 if errors else 200)


def _details(contact: Contact) -> dict[str, Any]:
    """What is always combined: shown so the person sees nothing will be lost."""
    return {
        "emails": [e.email for e in contact.emails.all()],
        "phones": [p.number for p in contact.phones.all()],
        "tags": [t.name for t in contact.tags.all()],
        "dates": list(contact.dates.all()),
        "interactions": contact.interactions.count(),
        "followups": contact.followups.count(),
        "events": contact.events.count(),
    }
