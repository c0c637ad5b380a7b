"""Reads of playbooks."""

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from followthrough.accounts.models import Workspace
from followthrough.activity.models import PENDING, FollowUp
from followthrough.playbooks.models import Playbook, PlaybookRun


def playbook_list(
    *, workspace: Workspace, enabled: bool | None = None, trigger: str = ""
) -> QuerySet[Playbook]:
    """The workspace's playbooks by name, narrowed to enabled (or disabled) ones and a trigger."""
    playbooks = Playbook.objects.filter(workspace=workspace)
    if enabled is not None:
        playbooks = playbooks.filter(enabled=enabled)
    if trigger:
        playbooks = playbooks.filter(trigger=trigger)
    return playbooks.order_by("name", "id")


def playbook_list_with_counts(*, workspace: Workspace) -> QuerySet[Playbook]:
    """The workspace's playbooks by name, each annotated with `run_count` (contacts it ever
    enrolled) and `pending_count` (its follow-ups still open or snoozed). Subqueries rather than
    joins: a playbook with many runs would otherwise multiply rows before counting."""
    runs = (
        PlaybookRun.objects.filter(playbook=OuterRef("pk"))
        .order_by()
        .values("playbook")
        .annotate(n=Count("id"))
        .values("n")
    )
    pending = (
        FollowUp.objects.filter(run__playbook=OuterRef("pk"), status__in=PENDING)
        .order_by()
        .values("run__playbook")
        .annotate(n=Count("id"))
        .values("n")
    )
    return playbook_list(workspace=workspace).annotate(
        run_count=Coalesce(Subquery(runs), 0), pending_count=Coalesce(Subquery(pending), 0)
    )


def playbook_has_held_out(*, playbook: Playbook) -> bool:
    """Whether the playbook ever held someone out: then its lift report has something to say,
    even after its hold-out share was set back to 0."""
    return PlaybookRun.objects.filter(playbook=playbook, held_out=True).exists()
