from datetime import timedelta

import pytest
from django.test import Client

from followthrough.conftest import NOW, PASSWORD

LIMIT = 5  # settings.LOGIN_THROTTLE_LIMIT


def login(client: Client, email: str = "alice@spokechain.test", password: str = PASSWORD,
          **extra: str):
    return client.post("/login/", {"email": email, "password": password, **extra},
                       REMOTE_ADDR="10.0.0.1")


def test_it_logs_in_with_email_and_password(client, alice) -> None:
    assert 'name="email"' in client.get("/login/").content.decode()

    response = login(client, email="Alice@SpokeChain.test")

    assert response.status_code == 302 and response.url == "/"
    assert client.get("/").status_code == 200


def test_it_refuses_a_wrong_password_without_saying_which_part(client, alice) -> None:
    response = login(client, password="wrong password")

    assert response.status_code == 400
    assert "That email and password do not match." in response.content.decode()
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(("next_url", "expected"), [
    ("/contacts/?q=dana", "/contacts/?q=dana"),
    ("https://evil.example/phish", "/"),
    ("//evil.example/", "/"),
])
def test_it_follows_next_only_within_the_site(client, alice, next_url, expected) -> None:
    assert login(client, next=next_url).url == expected


def test_it_throttles_an_account_after_the_limit_even_with_the_right_password(
    client, alice, frozen
) -> None:
    for attempt in range(LIMIT):
        ip = f"10.0.1.{attempt}"  # different addresses: only the account counter trips
        assert client.post("/login/", {"email": alice.email, "password": "nope"},
                           REMOTE_ADDR=ip).status_code == 400

    throttled = client.post("/login/", {"email": alice.email, "password": PASSWORD},
                            REMOTE_ADDR="10.0.2.1")

    assert throttled.status_code == 429
    body = throttled.content.decode()
    assert "Too many failed attempts" in body and 'name="password"' in body
    assert client.get("/").status_code == 302  # not logged in

    frozen.move_to(NOW + timedelta(minutes=16))
    assert login(client).status_code == 302


def test_it_throttles_an_address_trying_many_accounts(client, alice, bob) -> None:
    for attempt in range(LIMIT):
        client.post("/login/", {"email": f"guess{attempt}@x.test", "password": "nope"},
                    REMOTE_ADDR="10.9.9.9")

    from_there = client.post("/login/", {"email": bob.email, "password": PASSWORD},
                             REMOTE_ADDR="10.9.9.9")
    elsewhere = client.post("/login/", {"email": bob.email, "password": PASSWORD},
                            REMOTE_ADDR="10.9.9.10")

    assert from_there.status_code == 429
    assert elsewhere.status_code == 302


def test_a_successful_login_clears_the_account_counter(client, alice) -> None:
    for attempt in range(LIMIT - 1):
        client.post("/login/", {"email": alice.email, "password": "nope"},
                    REMOTE_ADDR=f"10.0.3.{attempt}")
    assert login(client).status_code == 302
    client.post("/logout/")

    for attempt in range(LIMIT - 1):
        client.post("/login/", {"email": alice.email, "password": "nope"},
                    REMOTE_ADDR=f"10.0.4.{attempt}")
    assert client.post("/login/", {"email": alice.email, "password": PASSWORD},
                       REMOTE_ADDR="10.0.5.1").status_code == 302


@pytest.mark.parametrize("url", [
    "/", "/contacts/", "/contacts/new/", "/organizations/", "/review/", "/neglected/",
    "/account/", "/account/tokens/",
])
def test_every_page_but_login_requires_login(client, url) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith("/login/?next=")


def test_it_logs_out_with_a_post(alice_client) -> None:
    assert alice_client.get("/logout/").status_code == 405
    response = alice_client.post("/logout/")
    assert response.url == "/login/"
    assert alice_client.get("/").status_code == 302


def test_it_changes_the_password(alice_client, alice) -> None:
    refused = alice_client.post("/account/", {"old_password": "nope", "new_password1": "x",
                                              "new_password2": "x"})
    assert refused.status_code == 400

    response = alice_client.post("/account/", {
        "old_password": PASSWORD, "new_password1": "a much longer secret 42",
        "new_password2": "a much longer secret 42",
    })

    assert response.status_code == 302
    assert alice_client.get("/").status_code == 200  # still logged in
    alice.refresh_from_db()
    assert alice.check_password("a much longer secret 42")
