"""Charts as server-rendered SVG: no JavaScript, no chart library, no web font.

Each function takes plain figures (any object with the named attributes: the dataclasses of
insight.reports fit) and returns one <svg> element sized by its viewBox (it scales to its
container), with a <title> and <desc> for screen readers and a <title> on every bar or cell
for the tooltip. Text goes through _esc: names and labels come from users.
Text uses currentColor, so the page's colour (light or dark) applies.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape
from typing import Final, Protocol

FONT: Final = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
TIER_COLOURS: Final = {"gold": "#c9a227", "silver": "#8d99a6", "bronze": "#b0703c", "": "#c3c9d0"}
BLUE, ORANGE, GREEN, GREY = "#3b6ea8", "#d9822b", "#3a8f5c", "#9aa4ae"


def _esc(text: object) -> str:
    return escape(str(text), quote=True)


def _num(value: float) -> str:
    """Coordinates with at most one decimal: short, and no "1e-05" in an attribute."""
    return f"{value:.1f}".rstrip("0").rstrip(".") if value == value else "0"


def _amount(value: float, prefix: str = "") -> str:
    sign = "−" if value < 0 else ""
    return f"{sign}{prefix}{abs(value):,.0f}"


def _svg(*, width: int, height: int, title: str, description: str, body: Sequence[str]) -> str:
    ident = "chart-" + hashlib.sha256(f"{title}|{description}".encode()).hexdigest()[:10]
    return "".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
            f'aria-labelledby="{ident}-t {ident}-d" font-family="{_esc(FONT)}" font-size="12" '
            'fill="currentColor">',
            f'<title id="{ident}-t">{_esc(title)}</title>',
            f'<desc id="{ident}-d">{_esc(description)}</desc>',
            *body,
            "</svg>",
        ]
    )


def _text(
    x: float,
    y: float,
    text: object,
    *,
    anchor: str = "start",
    size: int = 12,
    weight: str = "normal",
    css: str = "label",
) -> str:
    bold = ' font-weight="bold"' if weight != "normal" else ""
    return (
        f'<text class="{css}" x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}" '
        f'font-size="{size}"{bold}>{_esc(text)}</text>'
    )


def _bar(
    x: float, y: float, width: float, height: float, colour: str, tip: str, css: str = "bar"
) -> str:
    return (
        f'<rect class="{css}" x="{_num(x)}" y="{_num(y)}" width="{_num(max(width, 0))}" '
        f'height="{_num(max(height, 0))}" fill="{colour}"><title>{_esc(tip)}</title></rect>'
    )


def _empty(title: str, message: str) -> str:
    return _svg(
        width=600,
        height=80,
        title=title,
        description=message,
        body=[_text(300, 45, message, anchor="middle", css="empty")],
    )


def _legend(x: float, y: float, items: Sequence[tuple[str, str]]) -> list[str]:
    parts = []
    for label, colour in items:
        parts.append(
            f'<rect class="key" x="{_num(x)}" y="{_num(y - 9)}" width="10" height="10" '
            f'fill="{colour}"/>'
        )
        parts.append(_text(x + 14, y, label, size=11))
        x += 24 + 7 * len(label)
    return parts


# ----------------------------------------------------------------------------- rhythm


@dataclass(frozen=True)
class _TimeAxis:
    """Maps days to x between the plot's left and right edges; the plot runs from `top` to
    `base` (the axis line)."""

    start: date
    end: date
    left: float = 50
    right: float = 700
    top: float = 30
    base: float = 180

    def x(self, day: date) -> float:
        span = max((self.end - self.start).days, 1)
        return self.left + (self.right - self.left) * (day - self.start).days / span

    def vertical(self, day: date, css: str, colour: str, dashed: bool = False) -> str:
        x, dash = _num(self.x(day)), ' stroke-dasharray="4 3"' if dashed else ""
        return (
            f'<line class="{css}" x1="{x}" x2="{x}" y1="{self.top}" y2="{self.base}" '
            f'stroke="{colour}"{dash}/>'
        )


def _next_due(axis: _TimeAxis, last: date, due: date, typical_days: float) -> list[str]:
    """The usual interval after the last purchase, shaded, and the day the next one is due."""
    x0, x1 = axis.x(last), axis.x(due)
    tip = f"Usually every {round(typical_days)} days: next due {due:%d %b %Y}"
    return [
        f'<rect class="interval" x="{_num(x0)}" y="{axis.top}" width="{_num(x1 - x0)}" '
        f'height="{axis.base - axis.top}" fill="{GREEN}" fill-opacity="0.12">'
        f"<title>{_esc(tip)}</title></rect>",
        axis.vertical(due, "expected", GREEN, dashed=True),
        _text(x1, axis.top - 8, f"due {due:%d %b}", anchor="middle", size=11),
    ]


def rhythm_chart(
    *,
    purchases: Sequence[tuple[date, float]],
    today: date,
    typical_days: float | None = None,
    expected_next: date | None = None,
    money_prefix: str = "",
    title: str = "Purchase rhythm",
) -> str:
    """A contact's purchases on a time line (one bar per purchase day, height by amount), today,
    and when their usual interval says the next one is due."""
    if not purchases:
        return _empty(title, "No purchases yet.")
    by_day: dict[date, float] = {}
    for day, amount in purchases:
        by_day[day] = by_day.get(day, 0.0) + max(amount, 0.0)
    days = sorted(by_day)
    end = max(today, expected_next or today, days[-1]) + timedelta(days=7)
    axis = _TimeAxis(days[0] - timedelta(days=7), end)
    tallest, plot = max(by_day.values()) or 1.0, axis.base - axis.top
    body: list[str] = []
    if expected_next is not None and typical_days:
        body += _next_due(axis, days[-1], expected_next, typical_days)
    for day in days:
        height = max(plot * by_day[day] / tallest, 2)
        tip = f"{day:%d %b %Y}: {_amount(by_day[day], money_prefix)}"
        body.append(_bar(axis.x(day) - 3, axis.base - height, 6, height, BLUE, tip))
    body += [
        axis.vertical(today, "today", ORANGE),
        _text(axis.x(today), axis.base + 30, "today", anchor="middle", size=11),
        f'<line class="axis" x1="{axis.left}" x2="{axis.right}" y1="{axis.base}" '
        f'y2="{axis.base}" stroke="{GREY}"/>',
        _text(axis.left - 6, axis.top + 4, _amount(tallest, money_prefix), anchor="end", size=10),
    ]
    body += [_text(axis.x(d), axis.base + 16, f"{d:%b %Y}", anchor="middle", size=10)
             for d in _ticks(axis.start, axis.end)]  # fmt: skip
    description = f"{len(purchases)} purchases on {len(days)} days from {days[0]:%d %b %Y}"
    if typical_days:
        description += f"; usually every {round(typical_days)} days"
    return _svg(width=720, height=220, title=title, description=description, body=body)


def _ticks(start: date, end: date, count: int = 5) -> list[date]:
    step = max((end - start).days // count, 1)
    return [start + timedelta(days=step * (i + 1) - step // 2) for i in range(count)]


# ----------------------------------------------------------------------------- tiers


class TierRow(Protocol):
    # Read-only, so the frozen dataclasses of insight.reports match.
    @property
    def tier(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def contacts(self) -> int: ...
    @property
    def value(self) -> float: ...


def tier_chart(
    rows: Sequence[TierRow], *, money_prefix: str = "", title: str = "Tiers by count and value"
) -> str:
    """Two panels of horizontal bars: contacts per tier, and predicted 12-month value."""
    if not rows:
        return _empty(title, "No tiers yet.")
    width, row_height, top = 720, 34, 40
    height = top + row_height * len(rows) + 20
    body = [
        _text(20, 22, "Contacts", weight="bold"),
        _text(380, 22, "Predicted 12-month value", weight="bold"),
    ]
    most = max(r.contacts for r in rows) or 1
    richest = max(r.value for r in rows) or 1.0
    for i, row in enumerate(rows):
        y = top + i * row_height
        colour = TIER_COLOURS.get(row.tier, GREY)
        body.append(_text(20, y + 17, row.label))
        body.append(
            _bar(
                90,
                y + 4,
                220 * row.contacts / most,
                18,
                colour,
                f"{row.label}: {row.contacts:,} contacts",
            )
        )
        body.append(_text(96 + 220 * row.contacts / most, y + 17, f"{row.contacts:,}", size=11))
        body.append(_text(380, y + 17, row.label))
        value_width = 220 * max(row.value, 0) / richest
        body.append(
            _bar(
                450,
                y + 4,
                value_width,
                18,
                colour,
                f"{row.label}: {_amount(row.value, money_prefix)} predicted",
            )
        )
        body.append(_text(456 + value_width, y + 17, _amount(row.value, money_prefix), size=11))
    description = "; ".join(
        f"{r.label}: {r.contacts:,} contacts, {_amount(r.value, money_prefix)}" for r in rows
    )
    return _svg(width=width, height=height, title=title, description=description, body=body)


# ----------------------------------------------------------------------------- cohorts


class CohortRow(Protocol):
    # Read-only, so the frozen dataclasses of insight.reports match.
    @property
    def label(self) -> str: ...
    @property
    def customers(self) -> int: ...
    @property
    def shares(self) -> list[float | None]: ...


def cohort_chart(rows: Sequence[CohortRow], *, title: str = "Retention by cohort") -> str:
    """A heat map: one row per acquisition quarter, one column per quarter since; each cell the
    share of the cohort still buying (darker = more)."""
    if not rows:
        return _empty(title, "No purchases yet.")
    columns = max(len(r.shares) for r in rows)
    left, top, cell_w, cell_h = 130, 40, 64, 28
    width, height = left + columns * cell_w + 20, top + len(rows) * cell_h + 20
    body = [
        _text(
            left + k * cell_w + cell_w / 2,
            top - 10,
            "first" if k == 0 else f"+{k} q",
            anchor="middle",
            size=11,
        )
        for k in range(columns)
    ]
    for i, row in enumerate(rows):
        y = top + i * cell_h
        body.append(
            _text(left - 8, y + 18, f"{row.label} ({row.customers:,})", anchor="end", size=11)
        )
        for k, share in enumerate(row.shares):
            if share is None:
                continue
            x = left + k * cell_w
            tip = f"{row.label}: {round(share * 100)}% still buying {k} quarters later"
            body.append(
                f'<rect class="cell" x="{x + 1}" y="{y + 1}" width="{cell_w - 2}" '
                f'height="{cell_h - 2}" fill="{BLUE}" fill-opacity="{_num(0.08 + 0.9 * share)}">'
                f"<title>{_esc(tip)}</title></rect>"
            )
            body.append(
                _text(x + cell_w / 2, y + 18, f"{round(share * 100)}%", anchor="middle", size=11)
            )
    description = (
        f"{len(rows)} cohorts by quarter of first purchase; cells show the share "
        "of each cohort buying again in later quarters"
    )
    return _svg(width=width, height=height, title=title, description=description, body=body)


# ----------------------------------------------------------------------------- spend and revenue


class QuarterRow(Protocol):
    # Read-only, so the frozen dataclasses of insight.reports match.
    @property
    def label(self) -> str: ...
    @property
    def acquisition_spend(self) -> float: ...
    @property
    def retention_spend(self) -> float: ...
    @property
    def new_revenue(self) -> float: ...
    @property
    def returning_revenue(self) -> float: ...


def _grouped(
    rows: Sequence[QuarterRow],
    series: Sequence[tuple[str, str, str]],
    *,
    x0: float,
    y0: float,
    plot_w: float,
    plot_h: float,
    prefix: str,
) -> list[str]:
    """Grouped vertical bars, one group per quarter, one bar per (attribute, label, colour)."""
    tallest = max((getattr(r, attr) for r in rows for attr, _, _ in series), default=0) or 1.0
    group = plot_w / max(len(rows), 1)
    bar_w = group * 0.8 / len(series)
    body = [
        f'<line class="axis" x1="{_num(x0)}" x2="{_num(x0 + plot_w)}" y1="{_num(y0 + plot_h)}"'
        f' y2="{_num(y0 + plot_h)}" stroke="{GREY}"/>',
        _text(x0 - 6, y0 + 4, _amount(tallest, prefix), anchor="end", size=10),
    ]
    for i, row in enumerate(rows):
        gx = x0 + i * group + group * 0.1
        for j, (attr, label, colour) in enumerate(series):
            value = max(float(getattr(row, attr)), 0.0)
            h = plot_h * value / tallest
            body.append(
                _bar(
                    gx + j * bar_w,
                    y0 + plot_h - h,
                    bar_w - 1,
                    h,
                    colour,
                    f"{row.label}, {label}: {_amount(value, prefix)}",
                )
            )
        body.append(
            _text(x0 + i * group + group / 2, y0 + plot_h + 14, row.label, anchor="middle", size=10)
        )
    return body


def spend_revenue_chart(
    rows: Sequence[QuarterRow],
    *,
    money_prefix: str = "",
    title: str = "Acquisition and retention: spend and revenue",
) -> str:
    """Per quarter: what was spent on winning new people vs keeping existing ones, and revenue
    from new vs returning customers."""
    if not rows:
        return _empty(title, "No spend or revenue yet.")
    width, height = 760, 420
    spend = (
        ("acquisition_spend", "Acquisition spend", ORANGE),
        ("retention_spend", "Retention spend", BLUE),
    )
    revenue = (
        ("new_revenue", "Revenue from new customers", ORANGE),
        ("returning_revenue", "Revenue from returning customers", BLUE),
    )
    body = [
        _text(60, 22, "Spend (logged costs)", weight="bold"),
        *_legend(300, 22, [(label, colour) for _, label, colour in spend]),
    ]
    body += _grouped(rows, spend, x0=60, y0=35, plot_w=680, plot_h=130, prefix=money_prefix)
    body += [
        _text(60, 222, "Revenue (purchases)", weight="bold"),
        *_legend(300, 222, [(label, colour) for _, label, colour in revenue]),
    ]
    body += _grouped(rows, revenue, x0=60, y0=235, plot_w=680, plot_h=150, prefix=money_prefix)
    total_spend = sum(r.acquisition_spend + r.retention_spend for r in rows)
    total_revenue = sum(r.new_revenue + r.returning_revenue for r in rows)
    description = (
        f"{len(rows)} quarters from {rows[0].label} to {rows[-1].label}: spend "
        f"{_amount(total_spend, money_prefix)}, revenue "
        f"{_amount(total_revenue, money_prefix)}"
    )
    return _svg(width=width, height=height, title=title, description=description, body=body)


# ----------------------------------------------------------------------------- follow-ups


class ChannelRow(Protocol):
    # Read-only, so the frozen dataclasses of insight.reports match.
    @property
    def label(self) -> str: ...
    @property
    def completed(self) -> int: ...
    @property
    def skipped(self) -> int: ...

    @property
    def response_rate(self) -> float | None: ...


def followup_chart(
    rows: Sequence[ChannelRow], *, title: str = "Follow-ups by channel: done, skipped, response"
) -> str:
    """Per channel: follow-ups done and skipped (bars) and the share of done ones that got a
    response within two weeks (text)."""
    if not rows:
        return _empty(title, "No follow-ups closed yet.")
    width, row_h, top = 720, 40, 44
    height = top + row_h * len(rows) + 16
    most = max(max(r.completed, r.skipped) for r in rows) or 1
    body = _legend(140, 20, [("Done", GREEN), ("Skipped", GREY)])
    body.append(_text(700, 20, "Response", anchor="end", size=11, weight="bold"))
    for i, row in enumerate(rows):
        y = top + i * row_h
        body.append(_text(130, y + 20, row.label, anchor="end"))
        body.append(
            _bar(
                140,
                y + 2,
                420 * row.completed / most,
                15,
                GREEN,
                f"{row.label}: {row.completed:,} done",
            )
        )
        body.append(
            _bar(
                140,
                y + 18,
                420 * row.skipped / most,
                12,
                GREY,
                f"{row.label}: {row.skipped:,} skipped",
            )
        )
        rate = row.response_rate
        body.append(
            _text(700, y + 20, "—" if rate is None else f"{round(rate * 100)}%", anchor="end")
        )
    description = "; ".join(
        f"{r.label}: {r.completed} done, {r.skipped} skipped"
        + ("" if r.response_rate is None else f", {round(r.response_rate * 100)}% responded")
        for r in rows
    )
    return _svg(width=width, height=height, title=title, description=description, body=body)
