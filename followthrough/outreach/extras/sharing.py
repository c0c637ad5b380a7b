"""Share something of value (DESIGN C6): an article and its topics → the people who care about
those topics, most due a touch first → one personal follow-up each, in one click.

"Give something of value" is the sources' advice for staying in touch without selling; a link
that matches what someone told you they care about is the cheapest such gift.
"""

import html
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.http import Http404

from followthrough.accounts.models import User, Workspace
from followthrough.activity.models import FollowUp, TouchChannelChoices
from followthrough.activity.services import followup_create
from followthrough.core.cadence import cadence_check
from followthrough.outreach.models import EmailTemplate, Segment
from followthrough.outreach.services import segment_create, template_create
from followthrough.people.models import TIER_RANK, Contact, PreferenceChoices, Tag, Tier

MAX_TOPICS = 10
MAX_CANDIDATES = 200
# Shorter topics ("a", "bi") would match inside almost every tag.
MIN_PARTIAL_MATCH = 3


def share_url_clean(raw: str) -> str:
    """The article's address, or ValidationError on `url` (only http and https: a `javascript:`
    link in a follow-up someone will click is a trap)."""
    url = raw.strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationError(
            {"url": "Paste the article's full address (http:// or https://)."}
        ) from None
    if len(url) > 250:
        raise ValidationError({"url": "At most 250 characters; try the address without tracking."})
    return url


def share_topics_clean(raw: str) -> list[str]:
    """Comma-separated topics, trimmed and de-duplicated (case-insensitive), in the order given."""
    topics: dict[str, str] = {}
    for part in raw.split(","):
        topic = " ".join(part.split())
        if topic and topic.lower() not in topics:
            topics[topic.lower()] = topic[:60]
    if not topics:
        raise ValidationError({"topics": "Name at least one topic, e.g. “road cycling, winter”."})
    if len(topics) > MAX_TOPICS:
        raise ValidationError({"topics": f"At most {MAX_TOPICS} topics."})
    return list(topics.values())


def _matches(topic: str, tag: str) -> bool:
    t, g = topic.lower(), tag.lower()
    if t == g:
        return True
    shorter = t if len(t) < len(g) else g
    return len(shorter) >= MIN_PARTIAL_MATCH and (t in g or g in t)


def _topic_by_tag(workspace: Workspace, topics: list[str]) -> dict[int, str]:
    """Tag id → the first topic it matches ("cycling" matches the tag "road cycling")."""
    found: dict[int, str] = {}
    for tag_id, name in Tag.objects.filter(workspace=workspace).values_list("id", "name"):
        topic = next((t for t in topics if _matches(t, name)), None)
        if topic is not None:
            found[tag_id] = topic
    return found


@dataclass(frozen=True)
class ShareCandidate:
    """Someone the article suits. `due` is days untouched ÷ their cadence: 1.0 means exactly at
    their cadence, above 1 overdue for a touch."""

    contact: Contact
    topic: str
    days_untouched: int
    cadence_days: int

    @property
    def due(self) -> float:
        return self.days_untouched / max(self.cadence_days, 1)

    @property
    def overdue_days(self) -> int:
        """Days past their cadence (0 or less: not yet due)."""
        return self.days_untouched - self.cadence_days

    @property
    def days_left(self) -> int:
        return -self.overdue_days


def _candidate(contact: Contact, topic: str, now: datetime) -> ShareCandidate:
    workspace = contact.workspace
    cadence = contact.cadence_days or workspace.cadence_days(contact.tier)
    check = cadence_check(
        last_touched=contact.last_touched_at,
        since=contact.created_at,
        cadence_days=cadence,
        now=now,
    )
    return ShareCandidate(contact, topic, check.days_untouched, cadence)


def share_candidates(
    *, workspace: Workspace, topics: list[str], now: datetime, limit: int = MAX_CANDIDATES
) -> list[ShareCandidate]:
    """Contacts whose interests match a topic, most due a touch first (gold first on ties, then
    by name). Those who refuse email are left out: the article is a link to send."""
    topic_by_tag = _topic_by_tag(workspace, topics)
    if not topic_by_tag:
        return []
    contacts = (
        Contact.objects.filter(workspace=workspace, tags__in=list(topic_by_tag))
        .exclude(pref_email=PreferenceChoices.REFUSED)
        .select_related("workspace")
        .prefetch_related("tags")
        .distinct()
    )
    candidates = []
    for contact in contacts:
        tag_ids = sorted(t.pk for t in contact.tags.all() if t.pk in topic_by_tag)
        # The topic listed first by the user wins when several match.
        topic = min((topic_by_tag[i] for i in tag_ids), key=topics.index)
        candidates.append(_candidate(contact, topic, now))
    candidates.sort(
        key=lambda c: (-c.due, TIER_RANK.get(Tier(c.contact.tier), 9), c.contact.name.lower())
    )
    return candidates[:limit]


def share_purpose(*, url: str, topic: str) -> str:
    return f"Share {url} — you mentioned {topic}"[:300]


@dataclass
class ShareOutcome:
    created: list[FollowUp]
    skipped: list[tuple[Contact, str]]  # who, and why in a sentence


def _contacts_of(workspace: Workspace, contact_ids: Iterable[int]) -> list[Contact]:
    """The chosen contacts; any id that is not this workspace's → Http404 (nothing created)."""
    ids = sorted(set(contact_ids))
    contacts = Contact.objects.filter(workspace=workspace, pk__in=ids).select_related("workspace")
    found = {c.pk: c for c in contacts}
    if len(found) != len(ids):
        raise Http404("No such contact")
    return [found[i] for i in ids]


@transaction.atomic
def share_followups_create(
    *,
    workspace: Workspace,
    by: User,
    url: str,
    topics: list[str],
    contact_ids: Iterable[int],
    now: datetime,
) -> ShareOutcome:
    """One personal email follow-up per chosen contact, due at their next good slot. Someone
    who refuses email, or already has this very follow-up open, is skipped with the reason."""
    url = share_url_clean(url)
    contacts = _contacts_of(workspace, contact_ids)
    if not contacts:
        raise ValidationError({"contacts": "Choose at least one person."})
    topic_by_tag = _topic_by_tag(workspace, topics)
    outcome = ShareOutcome([], [])
    for contact in contacts:
        tags = [topic_by_tag[t.pk] for t in contact.tags.all() if t.pk in topic_by_tag]
        topic = min(tags, key=topics.index) if tags else ", ".join(topics)
        try:
            followup = followup_create(
                contact=contact,
                by=by,
                purpose=share_purpose(url=url, topic=topic),
                channel=TouchChannelChoices.EMAIL,
                now=now,
            )
        except ValidationError as error:
            outcome.skipped.append((contact, " ".join(error.messages)))
            continue
        outcome.created.append(followup)
    return outcome


@dataclass
class ShareCampaignDraft:
    template: EmailTemplate
    segment: Segment


@transaction.atomic
def share_campaign_draft(
    *, workspace: Workspace, url: str, topics: list[str]
) -> ShareCampaignDraft:
    """A small campaign instead of personal notes: a segment of everyone whose interests match
    the topics and a short template with the link, for the user to review, preview and send
    from the new-campaign page (the campaign itself checks consent, refusals and caps)."""
    url = share_url_clean(url)
    topic_by_tag = _topic_by_tag(workspace, topics)
    if not topic_by_tag:
        raise ValidationError({"topics": "Nobody's interests match those topics."})
    names = sorted(Tag.objects.filter(pk__in=topic_by_tag).values_list("name", flat=True))
    label = ", ".join(topics)
    segment = segment_create(
        workspace=workspace, name=f"Interested in {label}"[:200], filters={"tags": names}
    )
    link = html.escape(url, quote=True)
    template = template_create(
        workspace=workspace,
        fields={
            "name": f"Sharing: {url}"[:200],
            "subject": f"Something on {label} you may like"[:300],
            "body_html": (
                "<p>Hi {{ first_name }},</p>\n"
                f'<p>I came across this and thought of you: <a href="{link}">{link}</a></p>\n'
                "<p>{{ owner_name }}</p>"
            ),
            "body_text": (
                "Hi {{ first_name }},\n\n"
                f"I came across this and thought of you: {url}\n\n{{{{ owner_name }}}}"
            ),
        },
    )
    return ShareCampaignDraft(template=template, segment=segment)
