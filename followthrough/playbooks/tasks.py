"""Background work: huey only wakes workers; the events table is the truth (processed_at)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from followthrough.accounts.models import Workspace
from followthrough.playbooks.engine import engine_tick, events_process


@db_task(retries=3, retry_delay=10)
def events_process_task(event_ids: list[int]) -> int:
    """Evaluate newly stored events. Safe to run twice: each event is claimed before it is
    evaluated, and the periodic tick picks up anything a lost task left behind."""
    return events_process(event_ids=event_ids)


@db_periodic_task(crontab(minute="*/5"))
def engine_tick_task() -> None:
    engine_tick()


@db_task()
def workspace_tick_task(workspace_id: int) -> None:
    """Run the engine for one workspace now, e.g. after an import brought in a book whose
    people are already past their cadence: the first agenda need not wait for the next tick."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is not None:
        engine_tick(workspace=workspace)


def events_enqueue(events: list) -> None:  # type: ignore[type-arg]
    """after_commit hook for ingestion: queue the new events' evaluation."""
    if events:
        events_process_task([e.pk for e in events])
