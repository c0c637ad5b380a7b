from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client


def token(*args: str) -> str:
    out, err = StringIO(), StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue().strip()


def contacts_status(raw: str) -> int:
    return Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/contacts").status_code


def test_the_printed_token_opens_the_api(alice, contact) -> None:
    raw = token("--email", alice.email, "--name", "Zapier")
    assert raw.startswith("ft_") and len(raw.splitlines()) == 1
    assert contacts_status(raw) == 200


def test_list_shows_each_token_without_its_secret(alice) -> None:
    raw = token("--email", alice.email, "--name", "Zapier")
    listing = token("--email", alice.email, "--list")
    assert raw[3:11] in listing and "Zapier" in listing and "active" in listing
    assert raw not in listing


def test_revoke_shuts_the_token_out(alice) -> None:
    raw = token("--email", alice.email)
    output = token("--email", alice.email, "--revoke", raw[3:9])
    assert "Revoked" in output
    assert contacts_status(raw) == 401
    assert "revoked" in token("--email", alice.email, "--list")


def test_revoke_says_when_no_token_matches(alice) -> None:
    with pytest.raises(CommandError, match="no active token starting with zzzz"):
        token("--email", alice.email, "--revoke", "zzzz")


def test_it_refuses_an_unknown_user(db) -> None:
    with pytest.raises(CommandError, match="No active user with the email nobody@example.com"):
        token("--email", "nobody@example.com")


def test_every_token_prefix_can_be_typed_after_revoke() -> None:
    from followthrough.accounts.models import ApiToken

    # One token in 64 used to start with "-", which `token --revoke PREFIX` read as an option.
    assert not [raw for raw in (ApiToken.new_raw() for _ in range(1000)) if raw[3] == "-"]
