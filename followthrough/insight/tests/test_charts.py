"""The SVG charts parse as XML, hold one bar or cell per figure, and escape what users typed."""

import xml.etree.ElementTree as ET
from datetime import date

import pytest

from followthrough.insight.charts import (
    cohort_chart,
    followup_chart,
    rhythm_chart,
    spend_revenue_chart,
    tier_chart,
)
from followthrough.insight.reports import ChannelFollowUps, Cohort, QuarterMoney, TierBar

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314  our own output, not untrusted input
    assert root.tag == f"{SVG}svg" and root.get("viewBox", "").startswith("0 0 ")
    assert "width" not in root.attrib  # sized by its container through the viewBox
    assert root.get("role") == "img"
    assert "<script" not in svg and "@import" not in svg and "url(" not in svg
    return root


def shapes(root: ET.Element, css: str) -> list[ET.Element]:
    return [e for e in root.iter(f"{SVG}rect") if css in (e.get("class") or "").split()]


def texts(root: ET.Element) -> list[str]:
    return [e.text or "" for e in root.iter(f"{SVG}text")]


def title(root: ET.Element) -> str:
    return root.find(f"{SVG}title").text or ""


def test_a_rhythm_shows_each_purchase_day_today_and_the_next_one_due() -> None:
    purchases = [
        (date(2026, 8, 1), 40.0),
        (date(2026, 9, 1), 55.5),
        (date(2026, 9, 1), 10.0),
        (date(2026, 10, 2), 60.0),
    ]
    root = parse(
        rhythm_chart(
            purchases=purchases,
            today=date(2026, 11, 23),
            typical_days=31,
            expected_next=date(2026, 11, 2),
            money_prefix="$",
        )
    )
    bars = shapes(root, "bar")
    assert len(bars) == 3  # two receipts on 1 September are one purchase day
    assert bars[1].find(f"{SVG}title").text == "01 Sep 2026: $66"
    assert "due 02 Nov" in texts(root) and "today" in texts(root)
    assert len(shapes(root, "interval")) == 1
    assert "usually every 31 days" in root.find(f"{SVG}desc").text
    assert title(root) == "Purchase rhythm"


def test_a_rhythm_without_purchases_says_so() -> None:
    root = parse(rhythm_chart(purchases=[], today=date(2026, 11, 23)))
    assert texts(root) == ["No purchases yet."]


def test_tiers_by_count_and_by_value() -> None:
    rows = [
        TierBar("gold", "Gold", 30, 91_000.0),
        TierBar("silver", "Silver", 90, 40_500.0),
        TierBar("bronze", "Bronze", 180, 12_000.0),
        TierBar("", "No tier", 12, 0.0),
    ]
    root = parse(tier_chart(rows, money_prefix="$"))
    assert len(shapes(root, "bar")) == 8
    assert {"Gold", "Silver", "Bronze", "No tier", "$91,000", "180"} <= set(texts(root))
    widths = [float(b.get("width")) for b in shapes(root, "bar")]
    counts, values = widths[0::2], widths[1::2]
    assert max(counts) == counts[2] and max(values) == values[0]  # most bronze, gold worth most
    assert values[3] == 0


def test_retention_cohorts_are_a_grid_of_known_quarters() -> None:
    rows = [
        Cohort("2026 Q1", 40, [1.0, 0.5, 0.25, None]),
        Cohort("2026 Q2", 10, [1.0, 0.3, None, None]),
    ]
    root = parse(cohort_chart(rows))
    cells = shapes(root, "cell")
    assert len(cells) == 5
    assert {"2026 Q1 (40)", "50%", "30%", "first", "+3 q"} <= set(texts(root))
    opacities = [float(c.get("fill-opacity")) for c in cells]
    assert opacities[0] > opacities[1] > opacities[2]


def test_spend_and_revenue_per_quarter() -> None:
    rows = [
        QuarterMoney("2026 Q3", 500.0, 120.0, 2000.0, 3500.0),
        QuarterMoney("2026 Q4", 300.0, 200.0, 800.0, 4100.0),
    ]
    root = parse(spend_revenue_chart(rows, money_prefix="€"))
    assert len(shapes(root, "bar")) == 8
    assert {"2026 Q3", "2026 Q4", "Acquisition spend", "Revenue from returning customers"} <= set(
        texts(root)
    )


def test_follow_ups_by_channel() -> None:
    rows = [
        ChannelFollowUps("call", "Call", 20, 4, 9),
        ChannelFollowUps("note", "Handwritten note", 8, 0, 0),
        ChannelFollowUps("email", "Email", 0, 3, 0),
    ]
    root = parse(followup_chart(rows))
    assert len(shapes(root, "bar")) == 6
    assert {"Call", "45%", "0%", "—"} <= set(texts(root))


@pytest.mark.parametrize(
    "render",
    [
        lambda name: tier_chart([TierBar("gold", name, 1, 1.0)]),
        lambda name: cohort_chart([Cohort(name, 1, [1.0])]),
        lambda name: followup_chart([ChannelFollowUps("call", name, 1, 0, 0)]),
        lambda name: rhythm_chart(
            purchases=[(date(2026, 1, 1), 1.0)], today=date(2026, 2, 1), title=name
        ),
    ],
)
def test_text_from_users_is_escaped(render) -> None:
    name = '<script>alert("x")</script> & "Tom"'
    root = parse(render(name))
    everything = texts(root) + [e.text or "" for e in root.iter(f"{SVG}title")]
    assert any(name in text for text in everything)
