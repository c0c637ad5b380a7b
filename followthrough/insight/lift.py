"""Does following up work? Repurchase of the people a playbook followed up against the random
share it held out (DESIGN C5, "beyond every peer").

The 95% interval for the difference is Newcombe's hybrid score interval (see insight.stats).

Each run is one observation. The hold-out is decided by a hash of (playbook, contact), so a
person who triggers the playbook again stays on the same side.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from django.db.models import Exists, OuterRef

from followthrough.accounts.models import Workspace
from followthrough.core.facts import PURCHASE
from followthrough.events.models import Event
from followthrough.insight.stats import newcombe_interval, sample_size_per_group
from followthrough.playbooks.models import Playbook, PlaybookRun

# Below this many runs on either side, the rates are too noisy to call.
MIN_GROUP: Final = 30


@dataclass(frozen=True)
class LiftReport:
    """Repurchase within `window_days` of each run's event, followed up vs held out.

    `difference` and the interval are in proportions (0.09 = 9 points); None when a group is
    empty. `verdict` is the sentence to show.
    """

    window_days: int
    treated: int
    treated_bought: int
    held_out: int
    held_out_bought: int
    difference: float | None
    ci_low: float | None
    ci_high: float | None
    needed_per_group: int
    verdict: str

    @property
    def treated_rate(self) -> float | None:
        return self.treated_bought / self.treated if self.treated else None

    @property
    def held_out_rate(self) -> float | None:
        return self.held_out_bought / self.held_out if self.held_out else None


def _points(value: float) -> str:
    """+9, −4, 0; one decimal below one point, so "−0.3" is not shown as a bare 0."""
    points = value * 100
    text = f"{abs(points):.1f}" if 0 < abs(points) < 0.95 else f"{abs(round(points))}"
    if text in ("0", "0.0"):
        return "0"
    return ("+" if points > 0 else "−") + text


def _verdict(
    t: int,
    tb: int,
    h: int,
    hb: int,
    interval: tuple[float, float] | None,
    needed: int,
    holdout_percent: int,
) -> str:
    if h == 0 and holdout_percent == 0:
        return "This playbook holds nobody out: set a hold-out share to measure it."
    if interval is None or min(t, h) < MIN_GROUP:
        return (
            f"Not enough held-out customers yet ({h}; need ~{needed})"
            if h < MIN_GROUP
            else f"Not enough followed-up customers yet ({t}; need ~{needed})"
        )
    low, high = interval
    treated, held = round(100 * tb / t), round(100 * hb / h)
    detail = f"({_points(tb / t - hb / h)} points, 95% CI {_points(low)} to {_points(high)})"
    if low > 0:
        return f"Following up raised repurchase from {held}% to {treated}% {detail}"
    if high < 0:
        return f"Following up lowered repurchase from {held}% to {treated}% {detail}"
    verdict = f"No clear effect: {treated}% followed up vs {held}% held out bought again {detail}"
    if h < needed:
        verdict += f"; {h} held out so far, ~{needed} would show a 10-point change"
    return verdict


def lift_report(
    *, workspace: Workspace, playbook: Playbook, window_days: int, now: datetime
) -> LiftReport:
    """Among the playbook's runs started at least `window_days` before `now` (so the whole
    window has been seen), the share who bought within `window_days` after the run's event,
    the event's own purchase excluded."""
    window = timedelta(days=window_days)
    bought = Event.objects.filter(
        contact_id=OuterRef("contact_id"),
        type=PURCHASE,
        occurred_at__gt=OuterRef("event__occurred_at"),
        occurred_at__lte=OuterRef("event__occurred_at") + window,
    )
    runs = (
        PlaybookRun.objects.filter(
            workspace=workspace, playbook=playbook, started_at__lte=now - window
        )
        .annotate(bought=Exists(bought))
        .values_list("held_out", "bought")
    )
    counts = {(False, False): 0, (False, True): 0, (True, False): 0, (True, True): 0}
    for held_out, did_buy in runs:
        counts[(bool(held_out), bool(did_buy))] += 1
    tb, t = counts[(False, True)], counts[(False, True)] + counts[(False, False)]
    hb, h = counts[(True, True)], counts[(True, True)] + counts[(True, False)]
    interval = newcombe_interval(tb, t, hb, h) if t and h else None
    base = (tb + hb) / (t + h) if t + h else 0.2
    needed = sample_size_per_group(hb / h if h else base)
    return LiftReport(
        window_days=window_days,
        treated=t,
        treated_bought=tb,
        held_out=h,
        held_out_bought=hb,
        difference=(tb / t - hb / h) if interval else None,
        ci_low=interval[0] if interval else None,
        ci_high=interval[1] if interval else None,
        needed_per_group=needed,
        verdict=_verdict(t, tb, h, hb, interval, needed, playbook.holdout_percent),
    )
