"""Playbooks: the list (with an on/off switch), the editor, and export/import as a file.
Every member can read them; only the owner or an admin can change them."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from followthrough.access import access_playbook
from followthrough.accounts.selectors import user_list
from followthrough.core.event_types import KNOWN_TYPES
from followthrough.insight.lift import lift_report
from followthrough.playbooks.models import Playbook
from followthrough.playbooks.selectors import playbook_has_held_out, playbook_list_with_counts
from followthrough.playbooks.services import (
    playbook_create,
    playbook_set_enabled,
    playbook_update,
    playbooks_export,
    playbooks_import,
)
from followthrough.web.forms.playbooks import (
    ANCHOR_SUGGESTIONS,
    CUSTOM,
    MERGE_FIELDS,
    PlaybookEditor,
)
from followthrough.web.views.common import MemberRequest, is_htmx, member_view, require_admin

MAX_IMPORT_BYTES = 1024 * 1024
LIFT_WINDOWS = (30, 60, 90)


def _list(request: MemberRequest, *, import_errors: list[tuple[str, str]] | None = None,
          status: int = 200) -> HttpResponse:
    context = {
        "playbooks": playbook_list_with_counts(workspace=request.user.workspace),
        "known_types": KNOWN_TYPES,
        "can_edit": request.user.is_admin,
        "import_errors": import_errors or [],
    }
    return render(request, "web/pages/playbooks.html", context, status=status)


@member_view
@require_GET
def playbooks(request: MemberRequest) -> HttpResponse:
    return _list(request)


def _editor(request: MemberRequest, playbook: Playbook | None = None) -> PlaybookEditor:
    data = request.POST if request.method == "POST" else None
    return PlaybookEditor(data, members=user_list(workspace=request.user.workspace),
                          playbook=playbook)


def _save(request: MemberRequest, editor: PlaybookEditor, playbook: Playbook | None) -> Playbook:
    data = editor.playbook_data()
    if playbook is None:
        return playbook_create(workspace=request.user.workspace, data=data)
    return playbook_update(playbook=playbook, data=data)


def _edit(request: MemberRequest, playbook: Playbook | None) -> HttpResponse:
    editor = _editor(request, playbook)
    if request.method == "POST":
        require_admin(request)
        if editor.is_valid():
            try:
                saved = _save(request, editor, playbook)
            except ValidationError as error:
                editor.add_service_errors(error)
            else:
                messages.success(request, f"Playbook “{saved.name}” saved.")
                return redirect("web:playbook", playbook_id=saved.pk)
    context = {
        "editor": editor,
        "form": editor.form,
        "playbook": playbook,
        "can_edit": request.user.is_admin,
        "merge_fields": ["{{ " + name + " }}" for name in MERGE_FIELDS],
        "anchors": ANCHOR_SUGGESTIONS,
        "custom": CUSTOM,
        "lift": _lift(request, playbook),
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "web/pages/playbook_form.html", context, status=status)


def _lift(request: MemberRequest, playbook: Playbook | None) -> dict[str, Any] | None:
    """The lift report, for a playbook that holds people out (or ever did): followed up vs
    held out, repurchase within the window chosen (?window=30, 60 or 90 days)."""
    if playbook is None or not (playbook.holdout_percent or playbook_has_held_out(
            playbook=playbook)):
        return None
    window = request.GET.get("window", "")
    days = int(window) if window.isdigit() and int(window) in LIFT_WINDOWS else LIFT_WINDOWS[0]
    report = lift_report(workspace=request.user.workspace, playbook=playbook, window_days=days,
                         now=timezone.now())
    verdict = report.verdict if report.verdict.endswith(".") else report.verdict + "."
    return {"report": report, "verdict": verdict, "window": days, "windows": LIFT_WINDOWS}


@member_view
@require_GET
def playbook_lift(request: MemberRequest, playbook_id: int) -> HttpResponse:
    """Another window of the lift report: the card alone for htmx, else the playbook page."""
    playbook = access_playbook(workspace=request.user.workspace, playbook_id=playbook_id)
    lift = _lift(request, playbook)
    if not is_htmx(request) or lift is None:
        query = f"?window={lift['window']}#lift" if lift else ""
        return redirect(reverse("web:playbook", args=[playbook.pk]) + query)
    return render(request, "web/partials/lift_report.html", {"lift": lift, "playbook": playbook})


@member_view
@require_http_methods(["GET", "POST"])
def playbook_new(request: MemberRequest) -> HttpResponse:
    require_admin(request)
    return _edit(request, None)


@member_view
@require_http_methods(["GET", "POST"])
def playbook_page(request: MemberRequest, playbook_id: int) -> HttpResponse:
    playbook = access_playbook(workspace=request.user.workspace, playbook_id=playbook_id)
    return _edit(request, playbook)


@member_view
@require_POST
def playbook_enabled(request: MemberRequest, playbook_id: int) -> HttpResponse:
    playbook = access_playbook(workspace=request.user.workspace, playbook_id=playbook_id)
    require_admin(request)
    # The wanted state, not a blind toggle: a double click does not undo itself.
    playbook_set_enabled(playbook=playbook, enabled=request.POST.get("enabled") == "1")
    if is_htmx(request):
        return render(request, "web/partials/playbook_toggle.html",
                      {"playbook": playbook, "can_edit": True})
    state = "on" if playbook.enabled else "off"
    messages.success(request, f"Playbook “{playbook.name}” switched {state}.")
    return redirect("web:playbooks")


@member_view
@require_GET
def playbooks_download(request: MemberRequest) -> HttpResponse:
    text = playbooks_export(workspace=request.user.workspace)
    response = HttpResponse(text, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="playbooks.json"'
    return response


def _read_upload(request: MemberRequest) -> str:
    upload = request.FILES.get("file")
    if upload is None:
        raise ValidationError({"file": ["Choose the playbooks.json file to import."]})
    if upload.size and upload.size > MAX_IMPORT_BYTES:
        raise ValidationError({"file": ["The file is larger than 1 MB: not a playbook file."]})
    try:
        return str(upload.read().decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ValidationError({"file": ["The file is not text (UTF-8)."]}) from None


@member_view
@require_POST
def playbooks_upload(request: MemberRequest) -> HttpResponse:
    require_admin(request)
    try:
        created, updated = playbooks_import(workspace=request.user.workspace,
                                            text=_read_upload(request))
    except ValidationError as error:
        errors = [(path, message) for path, found in error.message_dict.items()
                  for message in found]
        return _list(request, import_errors=errors, status=422)
    messages.success(request, _imported(created, updated))
    return redirect("web:playbooks")


def _imported(created: int, updated: int) -> str:
    def count(n: int) -> str:
        return f"{n} playbook{'s' if n != 1 else ''}"

    return f"Imported: {count(created)} created, {count(updated)} updated."
