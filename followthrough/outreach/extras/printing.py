"""Offline touches (DESIGN C6): the print queue of due handwritten notes, cards and letters, a
printable sheet with each person's address and talking points, and mailing labels.

The PDFs use a vendored DejaVu Sans (fonts/, with its licence) rather than the PDF core fonts,
which only know Latin-1: a client called Zoë is fine either way, but Ярослава or Αλέξης would
raise an encoding error with a core font.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db.models import OuterRef, Subquery
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from followthrough.accounts.models import User, Workspace
from followthrough.activity.models import PENDING, FollowUp, Interaction, TouchChannelChoices
from followthrough.people.models import Contact

PRINT_CHANNELS = (TouchChannelChoices.NOTE, TouchChannelChoices.CARD, TouchChannelChoices.LETTER)
MAX_ITEMS = 300
FONTS = Path(__file__).parent / "fonts"
FONT = "DejaVu"


@dataclass(frozen=True)
class PrintItem:
    """One touch to write by hand, with what the writer needs to make it personal."""

    followup: FollowUp
    last_summary: str
    interests: list[str]

    @property
    def contact(self) -> Contact:
        return self.followup.contact


def print_queue(
    *, workspace: Workspace, user: User, now: datetime, tz_name: str, days_ahead: int = 0
) -> list[PrintItem]:
    """`user`'s pending notes, cards and letters due by the end of today (+ `days_ahead` days,
    to write a birthday card in time for the post), in the user's time zone; the oldest first."""
    tz = ZoneInfo(tz_name)
    last_day = now.astimezone(tz).date() + timedelta(days=days_ahead)
    until = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=tz)
    last_summary = Interaction.objects.filter(contact=OuterRef("contact")).order_by(
        "-occurred_at", "-id"
    )
    followups = (
        FollowUp.objects.filter(
            workspace=workspace,
            assignee=user,
            status__in=PENDING,
            channel__in=PRINT_CHANNELS,
            due_at__lt=until,
        )
        .select_related("contact")
        .prefetch_related("contact__tags")
        .annotate(last_summary=Subquery(last_summary.values("summary")[:1]))
        .order_by("due_at", "id")[:MAX_ITEMS]
    )
    return [
        PrintItem(f, f.last_summary or "", [t.name for t in f.contact.tags.all()])
        for f in followups
    ]


def _pdf() -> FPDF:
    pdf = FPDF(orientation="portrait", unit="mm", format="letter")
    pdf.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_font(FONT, size=10)
    pdf.set_creator("Followthrough")
    return pdf


def _line(pdf: FPDF, text: str, *, size: float = 10, bold: bool = False, height: float = 5) -> None:
    pdf.set_font(FONT, "B" if bold else "", size)
    pdf.multi_cell(0, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _short(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _sheet_block(pdf: FPDF, item: PrintItem, tz: ZoneInfo) -> None:
    contact, followup = item.contact, item.followup
    due = followup.due_at.astimezone(tz).date()
    _line(pdf, f"{contact.name} — {followup.get_channel_display()}", size=13, bold=True, height=7)
    for line in contact.address_lines or ["No postal address on file"]:
        _line(pdf, line)
    pdf.ln(1)
    _line(pdf, f"Why: {followup.purpose}")
    _line(pdf, f"Due: {due:%a %d %b %Y}")
    if item.last_summary:
        _line(pdf, f"Last time: {_short(item.last_summary, 400)}")
    if item.interests:
        _line(pdf, f"Interests: {', '.join(item.interests)}")
    pdf.ln(3)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(4)


def print_sheet_pdf(*, items: Sequence[PrintItem], workspace: Workspace, tz_name: str) -> bytes:
    """The print queue as a sheet: per touch, the name, postal address and talking points."""
    pdf = _pdf()
    pdf.set_title(f"Notes, cards and letters — {workspace.name}")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    _line(pdf, f"Notes, cards and letters to write ({len(items)})", size=16, bold=True, height=9)
    pdf.ln(3)
    if not items:
        _line(pdf, "Nothing to write today.")
    tz = ZoneInfo(tz_name)
    for item in items:
        _sheet_block(pdf, item, tz)
    return bytes(pdf.output())


# Avery 5160 / 8160 (US Letter, 3 × 10): label 2.625" × 1", first label 0.5" from the top and
# 0.1875" from the left, columns 2.75" apart. In millimetres, the unit of the PDF.
INCH = 25.4
LABEL = {
    "cols": 3,
    "rows": 10,
    "w": 2.625 * INCH,
    "h": 1.0 * INCH,
    "top": 0.5 * INCH,
    "left": 0.1875 * INCH,
    "pitch_x": 2.75 * INCH,
    "pitch_y": 1.0 * INCH,
}
LABEL_PADDING = 3.0


def label_contacts(items: Sequence[PrintItem]) -> tuple[list[Contact], list[Contact]]:
    """(one per person with a postal address, in queue order; those without an address)."""
    seen: set[int] = set()
    with_address: list[Contact] = []
    without: list[Contact] = []
    for item in items:
        if item.contact.pk in seen:
            continue
        seen.add(item.contact.pk)
        (with_address if item.contact.address_lines else without).append(item.contact)
    return with_address, without


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """`text` cut (with …) to fit `width`: a long street must not run into the next label."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _label(pdf: FPDF, contact: Contact, x: float, y: float) -> None:
    lines = [contact.name, *contact.address_lines][:4]
    width = LABEL["w"] - 2 * LABEL_PADDING
    pdf.set_xy(x + LABEL_PADDING, y + LABEL_PADDING)
    for i, line in enumerate(lines):
        pdf.set_font(FONT, "B" if i == 0 else "", 9)
        pdf.set_x(x + LABEL_PADDING)
        pdf.cell(
            width,
            4.6,
            _fit(pdf, " ".join(line.split()), width),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )


def labels_pdf(*, contacts: Sequence[Contact]) -> bytes:
    """Mailing labels on Avery 5160-style sheets (30 per US Letter page)."""
    pdf = _pdf()
    pdf.set_title("Mailing labels")
    pdf.set_auto_page_break(auto=False)
    per_page = LABEL["cols"] * LABEL["rows"]
    for index, contact in enumerate(contacts):
        slot = index % per_page
        if slot == 0:
            pdf.add_page()
        row, col = divmod(slot, int(LABEL["cols"]))
        _label(
            pdf,
            contact,
            LABEL["left"] + col * LABEL["pitch_x"],
            LABEL["top"] + row * LABEL["pitch_y"],
        )
    if not contacts:
        pdf.add_page()
        _line(pdf, "No one in the print queue has a postal address.")
    return bytes(pdf.output())


def today_in(tz_name: str, now: datetime) -> date:
    return now.astimezone(ZoneInfo(tz_name)).date()
