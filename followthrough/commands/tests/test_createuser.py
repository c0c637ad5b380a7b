from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from followthrough.accounts.models import User, Workspace
from followthrough.conftest import PASSWORD


def createuser(*args: str) -> str:
    out = StringIO()
    call_command("createuser", *args, stdout=out)
    return out.getvalue()


def test_it_creates_a_workspace_and_its_owner(db) -> None:
    output = createuser("--email", "Dana@Shop.test", "--workspace-name", "Dana's Bikes",
                        "--password", PASSWORD, "--timezone", "Europe/Berlin", "--region", "DE")
    dana = User.objects.get(email="dana@shop.test")
    assert (dana.role, dana.workspace.name, dana.workspace.timezone) == (
        "owner", "Dana's Bikes", "Europe/Berlin"
    )
    assert dana.check_password(PASSWORD)
    assert "Created dana@shop.test (owner)" in output and "/login/" in output


def test_it_adds_a_member_to_the_only_workspace(alice) -> None:
    createuser("--email", "eve@spokechain.test", "--password", PASSWORD)
    eve = User.objects.get(email="eve@spokechain.test")
    assert (eve.workspace_id, eve.role) == (alice.workspace_id, "member")


def test_it_adds_an_admin_to_a_named_workspace(alice, charlie) -> None:
    createuser("--email", "eve@riverside.test", "--password", PASSWORD,
               "--workspace", str(charlie.workspace_id), "--role", "admin")
    assert User.objects.get(email="eve@riverside.test").role == "admin"


def test_a_refused_password_leaves_no_workspace_behind(db) -> None:
    with pytest.raises(CommandError, match="too short"):
        createuser("--email", "dana@shop.test", "--workspace-name", "Dana's Bikes",
                   "--password", "short")
    assert not Workspace.objects.exists() and not User.objects.exists()


def test_it_refuses_an_email_already_in_use(alice) -> None:
    with pytest.raises(CommandError, match="email: A user with the email"):
        createuser("--email", "ALICE@spokechain.test", "--password", PASSWORD)


def test_without_a_terminal_it_asks_for_password_on_the_command_line(alice) -> None:
    with pytest.raises(CommandError, match="Pass --password"):
        createuser("--email", "eve@spokechain.test")
