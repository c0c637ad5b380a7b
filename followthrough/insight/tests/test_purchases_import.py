import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from followthrough.activity.models import FollowUp
from followthrough.conftest import NOW
from followthrough.events.models import Event
from followthrough.insight.imports import parse_amount, purchases_import_csv, rejected_rows_csv
from followthrough.people.models import Contact, ContactEmail
from followthrough.playbooks.engine import events_process_pending, playbooks_install_defaults

NEW_YORK = ZoneInfo("America/New_York")


def run(workspace, text: str, **options):
    return purchases_import_csv(workspace=workspace, file=io.StringIO(text), now=NOW, **options)


def purchases(workspace) -> list[tuple[str, date, str]]:
    rows = (
        Event.objects.filter(workspace=workspace, type="purchase.made")
        .order_by("occurred_at", "id")
        .values_list("contact__first_name", "occurred_at", "data")
    )
    return [(name, at.astimezone(NEW_YORK).date(), data["amount"]) for name, at, data in rows]


EUROPEAN = (
    "\ufeffOrder Date;Customer E-mail;Total;Name\n"
    "03/04/2025;dana@example.com;12,50;Dana Rider\n"
    "17/04/2025;DANA@example.com;1.234,00;\n"
    "31/02/2025;eli@example.com;10;Eli New\n"
    "01/05/2025;eli@;10;\n"
    "02/05/2025;eli@example.com;;\n"
    "02/05/2025;;5;\n"
    "\n"
    "05/05/2025;eli@example.com;-20;\n"
    "06/05/2025;eli@example.com;7 €;Eli New\n"
)


def test_it_reads_a_european_export_and_reports_every_bad_row(workspace, contact) -> None:
    report = run(workspace, EUROPEAN)

    assert (report.rows, report.created, report.duplicates, report.new_contacts) == (8, 3, 0, 1)
    assert [str(r) for r in report.rejected] == [
        "row 4, date: “31/02/2025” is not a date",
        "row 5, email: “eli@” is not an email address",
        "row 6, amount: missing",
        "row 7, email: missing (give an email or a customer id)",
        "row 9, amount: “-20” is negative (a refund is not a purchase)",
    ]
    assert report.rejected_rows == 5
    # 17/04 says the file writes the day first, so 03/04 is 3 April.
    assert purchases(workspace) == [
        ("Dana", date(2025, 4, 3), "12.50"),
        ("Dana", date(2025, 4, 17), "1234.00"),
        ("Eli", date(2025, 5, 6), "7"),
    ]


def test_someone_first_met_through_a_purchase_is_a_client(workspace, contact) -> None:
    run(workspace, EUROPEAN)
    eli = ContactEmail.objects.get(workspace=workspace, email="eli@example.com").contact
    assert (eli.first_name, eli.last_name, eli.stage, eli.source) == (
        "Eli",
        "New",
        "client",
        "import",
    )
    contact.refresh_from_db()
    assert contact.stage == "client" and Contact.objects.filter(workspace=workspace).count() == 2


def test_importing_the_same_file_again_changes_nothing(workspace, contact) -> None:
    run(workspace, EUROPEAN)
    before = (Event.objects.count(), Contact.objects.count())

    again = run(workspace, EUROPEAN)

    assert (again.created, again.duplicates, again.new_contacts) == (0, 3, 0)
    assert (Event.objects.count(), Contact.objects.count()) == before


def test_two_identical_rows_are_two_purchases(workspace, contact) -> None:
    text = "date,email,amount\n2025-06-01,dana@example.com,5\n2025-06-01,dana@example.com,5\n"
    assert run(workspace, text).created == 2
    assert run(workspace, text).duplicates == 2


def test_imported_purchases_plan_nothing(workspace, contact, alice) -> None:
    playbooks_install_defaults(workspace=workspace)
    run(workspace, "date,email,amount\n2026-11-20,dana@example.com,80\n")
    assert Event.objects.filter(processed_at__isnull=True).count() == 0
    assert events_process_pending(workspace=workspace, now=NOW) == 0
    assert FollowUp.objects.count() == 0


def test_customers_are_found_by_their_id_in_the_shop_or_ours(
    workspace, make_contact, other_workspace
) -> None:
    shop = make_contact("Sam", "Shop", external_id="C-1001")
    outsider = make_contact("Tom", "Theirs", ws=other_workspace)
    text = (
        "Customer ID\tcontact_id\tdate\tAmount\tOrder ID\n"
        "C-1001\t\t2025-01-02T10:00:00-05:00\t$1,250.00\tA-1\n"
        f"\t{shop.pk}\t2025-01-03 09:30\t12\tA-2\n"
        f"\t{outsider.pk}\t2025-01-04\t12\tA-3\n"
        "C-2002\t\t2025-01-05\t3\tA-4\n"
    )

    report = run(workspace, text)

    assert report.created == 3 and report.new_contacts == 1
    assert [str(r) for r in report.rejected] == [
        f"row 4, contact_id: no contact with id {outsider.pk}"
    ]
    first = Event.objects.get(data__order_id="A-1")
    assert first.contact == shop and first.data["amount"] == "1250.00"
    assert first.occurred_at == datetime(2025, 1, 2, 15, 0, tzinfo=UTC)
    # A time without an offset is the workspace's local time.
    assert Event.objects.get(data__order_id="A-2").occurred_at == datetime(
        2025, 1, 3, 14, 30, tzinfo=UTC
    )
    newcomer = Event.objects.get(data__order_id="A-4").contact
    assert newcomer.external_id == "C-2002" and newcomer.stage == "client"


def test_an_ambiguous_date_follows_the_workspaces_country(workspace, contact) -> None:
    run(workspace, "date,email,amount\n03/04/2025,dana@example.com,5\n")
    assert purchases(workspace)[0][1] == date(2025, 3, 4)  # a US workspace: month first


def test_a_purchase_in_the_future_is_refused(workspace, contact) -> None:
    report = run(workspace, "date,email,amount\n2027-01-01,dana@example.com,5\n")
    assert [str(r) for r in report.rejected] == ["row 2, date: “2027-01-01” is in the future"]


def test_a_dry_run_reports_and_saves_nothing(workspace, contact) -> None:
    report = run(workspace, EUROPEAN, dry_run=True)
    assert (report.created, report.new_contacts, report.dry_run) == (3, 1, True)
    assert Event.objects.count() == 0 and Contact.objects.count() == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The file is empty."),
        ("when,who,amount\n2025-01-01,a@b.c,1\n", "No date and no email or customer_id column"),
        ("date,email,sum\n2025-01-01,al@example.com,1\n", None),
        ("date,name,amount\n2025-01-01,Al,1\n", "No email or customer_id column"),
        ("date;email\n2025-01-01;a@b.c\n", "No amount column"),
    ],
)
def test_a_file_that_is_not_a_purchase_list_is_refused_whole(workspace, text, message) -> None:
    if message is None:  # "sum" is a synonym of amount
        assert run(workspace, text).created == 1
        return
    with pytest.raises(ValidationError) as error:
        run(workspace, text)
    assert message in error.value.message_dict["file"][0]
    assert Event.objects.count() == 0


@pytest.mark.parametrize(
    ("raw", "amount"),
    [
        ("12.50", Decimal("12.50")),
        ("12,50", Decimal("12.50")),
        ("1,234.50", Decimal("1234.50")),
        ("1.234,50", Decimal("1234.50")),
        ("$12.50", Decimal("12.50")),
        ("12,50 €", Decimal("12.50")),
        ("1 234,50", Decimal("1234.50")),
        ("USD 7", Decimal(7)),
        ("1,234", Decimal(1234)),
        ("1'234.50", Decimal("1234.50")),
        ("-3", Decimal(-3)),
        ("abc", None),
        ("12 abcd", None),
        ("1,23,4", None),
        ("", None),
        ("NaN", None),
    ],
)
def test_amounts_in_the_ways_people_write_them(raw, amount) -> None:
    assert parse_amount(raw) == amount


def test_a_formula_in_a_rejected_row_is_escaped_and_comes_back_as_written(
    workspace, contact
) -> None:
    text = "date,email,amount,items\n2025-06-01,dana@example.com,,=cmd|' /C calc'!A0\n"
    report = run(workspace, text)

    rows = list(csv.reader(io.StringIO(rejected_rows_csv(text=text, report=report))))

    assert rows[1][3] == "'=cmd|' /C calc'!A0"  # text to a spreadsheet, never a command
    rows[1][2] = "5"
    fixed = io.StringIO()
    csv.writer(fixed).writerows(rows)
    assert run(workspace, fixed.getvalue()).created == 1
    assert Event.objects.get(type="purchase.made").data["items"] == ["=cmd|' /C calc'!A0"]


LATE = datetime(2026, 11, 24, 4, 30, tzinfo=UTC)  # 23:30 in New York, tomorrow in UTC


@pytest.mark.parametrize("now", [NOW, LATE], ids=["09:00", "23:30"])
def test_a_purchase_of_today_goes_in_at_any_hour(workspace, contact, now) -> None:
    text = "date,email,amount\n2026-11-23,dana@example.com,5\n2026-11-24,dana@example.com,7\n"

    report = purchases_import_csv(workspace=workspace, file=io.StringIO(text), now=now)

    assert [str(r) for r in report.rejected] == ["row 3, date: “2026-11-24” is in the future"]
    assert purchases(workspace) == [("Dana", date(2026, 11, 23), "5")]
    assert Event.objects.get().occurred_at <= now  # never recorded as later than now


def test_todays_purchase_imported_again_later_that_day_is_the_same(workspace, contact) -> None:
    text = "date,email,amount\n2026-11-23,dana@example.com,5\n"
    purchases_import_csv(workspace=workspace, file=io.StringIO(text), now=NOW)

    again = purchases_import_csv(workspace=workspace, file=io.StringIO(text), now=LATE)

    assert (again.created, again.duplicates) == (0, 1)
