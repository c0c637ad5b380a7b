"""Import purchase history from a CSV file (owner and admins), so a new workspace has rhythms,
values and tiers on day one: a dry run first, then the import, a report of every rejected row
and those rows as a file to fix and import again."""

import base64
import io
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from followthrough.insight.imports import ImportReport, purchases_import_csv, rejected_rows_csv
from followthrough.insight.services import insight_refresh
from followthrough.web.forms.insight import PurchaseFileForm
from followthrough.web.views.common import (
    MemberRequest,
    add_service_errors,
    member_view,
    require_admin,
)
from followthrough.web.views.insight import recomputed_text

# Bigger files go through `followthrough import purchases FILE`, which streams no upload.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
SOURCE = "import:purchases"  # the command's default too: a file loaded both ways counts once


def _text(form: PurchaseFileForm) -> str:
    upload = form.cleaned_data["file"]
    if upload.size and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError({"file": ["The file is larger than 20 MB: import it with "
                                         "`followthrough import purchases FILE` instead."]})
    try:
        return str(upload.read().decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ValidationError({"file": ["The file is not UTF-8 text: save it as “CSV UTF-8” "
                                        "and try again."]}) from None


def _rejected_link(text: str, report: ImportReport) -> str:
    """The rejected rows as a data: URL, so the download needs nothing kept on the server."""
    if not report.rejected:
        return ""
    data = rejected_rows_csv(text=text, report=report).encode("utf-8-sig")
    return "data:text/csv;charset=utf-8;base64," + base64.b64encode(data).decode("ascii")


def _run(request: MemberRequest, form: PurchaseFileForm) -> dict[str, Any]:
    """Import (or dry-run) the file; after a real import that added purchases, recompute the
    rhythms and tiers now rather than tonight: that is why people load their history."""
    workspace, dry_run = request.user.workspace, request.POST.get("mode") != "import"
    text = _text(form)
    report = purchases_import_csv(workspace=workspace, file=io.StringIO(text), source=SOURCE,
                                  dry_run=dry_run)
    refreshed = ""
    if report.created and not dry_run:
        refreshed = recomputed_text(*insight_refresh(workspace=workspace, now=timezone.now()))
    return {"report": report, "refreshed": refreshed, "rejected_url": _rejected_link(text, report),
            "file_name": form.cleaned_data["file"].name}


@member_view
@require_http_methods(["GET", "POST"])
def import_purchases(request: MemberRequest) -> HttpResponse:
    require_admin(request)
    posted = request.method == "POST"
    form = PurchaseFileForm(request.POST, request.FILES) if posted else PurchaseFileForm()
    context: dict[str, Any] = {"form": form}
    status = 200
    if posted:
        status = 422
        if form.is_valid():
            try:
                context.update(_run(request, form))
                status = 200
            except ValidationError as error:
                add_service_errors(form, error)
    return render(request, "web/pages/import_purchases.html", context, status=status)
