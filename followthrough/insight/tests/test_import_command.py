from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from followthrough.conftest import NOW
from followthrough.events.models import Event
from followthrough.insight.models import CustomerScore

ROWS = "date,email,amount\n2025-06-01,dana@example.com,25\n2025-06-01,,25\n"


def command(*args: str) -> str:
    out = StringIO()
    call_command("import", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def orders(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(ROWS, encoding="utf-8")
    return path


def test_it_imports_purchases_and_prints_the_report(workspace, contact, orders) -> None:
    with time_machine.travel(NOW, tick=False):
        output = command("purchases", str(orders))
    assert output.splitlines() == [
        f"Purchases from orders.csv into workspace {workspace.pk} “Spoke & Chain Cycles”:",
        "  2 rows read: 1 purchase added, 0 already imported, 1 row rejected",
        "Rejected:",
        "  row 3, email: missing (give an email or a customer id)",
        "Too few customers to fit the rhythm model (BG/NBD needs at least 20 customers and 5 "
        "repeat buyers; got 1 and 0): using each customer's own rhythm.",
        "Tiers: 1 contact changed tier.",
    ]
    assert Event.objects.get(type="purchase.made").source == "import:purchases"
    assert CustomerScore.objects.get().contact == contact
    again = command("purchases", str(orders))
    assert "0 purchases added, 1 already imported" in again and "Tiers" not in again


def test_a_dry_run_says_so_and_saves_nothing(workspace, orders) -> None:
    output = command("purchases", str(orders), "--dry-run", "--workspace", str(workspace.pk))
    assert output.splitlines()[:3] == [
        f"Dry run, nothing saved. Purchases from orders.csv into workspace {workspace.pk} "
        "“Spoke & Chain Cycles”:",
        "  2 rows read: 1 purchase would be added, 0 already imported, 1 row rejected",
        "  1 new contact (as clients) would be created",
    ]
    assert Event.objects.count() == 0


def test_a_named_source_and_a_byte_order_mark(workspace, contact, tmp_path) -> None:
    path = tmp_path / "shop.csv"
    path.write_bytes("\ufeffDate;Email;Total\n2025-06-01;dana@example.com;12,50\n".encode())
    command("purchases", str(path), "--source", "shop-2025")
    assert Event.objects.get(type="purchase.made").source == "import:shop-2025"


def test_problems_with_the_file_are_one_clear_line(workspace, other_workspace, tmp_path) -> None:
    with pytest.raises(CommandError, match="No file"):
        command("purchases", str(tmp_path / "missing.csv"))
    latin = tmp_path / "latin.csv"
    latin.write_bytes("date,email,amount\n2025-06-01,jos\xe9@example.com,5\n".encode("latin-1"))
    with pytest.raises(CommandError, match="is not UTF-8 text"):
        command("purchases", str(latin), "--workspace", str(workspace.pk))
    headless = tmp_path / "headless.csv"
    headless.write_text("a,b\n1,2\n")
    with pytest.raises(CommandError, match="^file: No date and no amount and no email"):
        command("purchases", str(headless), "--workspace", str(workspace.pk))
    with pytest.raises(CommandError, match="several workspaces"):
        command("purchases", str(headless))
    with pytest.raises(CommandError, match="invalid choice"):
        command("customers", str(headless))  # `contacts` is a kind since issue 6
