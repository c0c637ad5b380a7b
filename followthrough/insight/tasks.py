"""Nightly: refresh every workspace's rhythm scores, then its tiers (which read the scores)."""

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from followthrough.accounts.models import Workspace
from followthrough.insight.services import insight_refresh

log = logging.getLogger(__name__)


@dataclass
class NightlyReport:
    workspaces: int = 0
    customers: int = 0
    tier_changes: int = 0
    failed: list[int] = field(default_factory=list)


def insight_nightly(*, now: datetime) -> NightlyReport:
    """Rhythm, then tiers, for each workspace. One workspace's failure is logged and does not
    stop the others (their customers still deserve fresh scores)."""
    report = NightlyReport()
    for workspace in Workspace.objects.order_by("pk"):
        try:
            fit, tiers = insight_refresh(workspace=workspace, now=now)
        except Exception:
            log.exception("Nightly rhythm and tiers failed for workspace %s", workspace.pk)
            report.failed.append(workspace.pk)
            continue
        report.workspaces += 1
        report.customers += fit.customers
        report.tier_changes += len(tiers.changes)
    return report


@db_periodic_task(crontab(hour="3", minute="15"))
def insight_nightly_task() -> None:
    insight_nightly(now=timezone.now())
