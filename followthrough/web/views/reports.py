"""The review buckets (days since the last touch, and the flagged list) and the neglected report."""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from followthrough.activity.selectors import next_pending_due
from followthrough.core.cadence import BUCKET_LABELS, days_since
from followthrough.people.selectors import contact_list, neglected_report, review_bucket_counts
from followthrough.web.views.common import MemberRequest, member_view

FLAGGED_SHOWN = 100
PAGE_SIZE = 50


@member_view
@require_GET
def review(request: MemberRequest) -> HttpResponse:
    workspace, now = request.user.workspace, timezone.now()
    counts = review_bucket_counts(workspace=workspace, now=now)
    flagged = contact_list(workspace=workspace, flagged=True, now=now)
    context = {
        "buckets": [(bucket.value, BUCKET_LABELS[bucket], n) for bucket, n in counts.items()],
        "total": sum(counts.values()),
        "flagged": flagged[:FLAGGED_SHOWN],
        "flagged_count": flagged.count(),
        "next_url": request.get_full_path(),
    }
    return render(request, "web/pages/review.html", context)


@member_view
@require_GET
def neglected(request: MemberRequest) -> HttpResponse:
    workspace, now = request.user.workspace, timezone.now()
    report = neglected_report(workspace=workspace, now=now)
    page = Paginator(report.neglected, PAGE_SIZE).get_page(request.GET.get("page"))
    planned = next_pending_due(contact_ids=[c.pk for c in page])
    rows = [
        {
            "contact": contact,
            "cadence": contact.cadence_days or workspace.cadence_days(contact.tier),
            "days": days_since(contact.last_touched_at or contact.created_at, now=now),
            "planned": planned.get(contact.pk),
        }
        for contact in page
    ]
    context = {"report": report, "page": page, "rows": rows, "next_url": request.get_full_path()}
    return render(request, "web/pages/neglected.html", context)
