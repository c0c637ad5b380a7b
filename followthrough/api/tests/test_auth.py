from django.test import Client

from followthrough.accounts.services import api_token_create, api_token_revoke


def test_it_refuses_a_request_without_a_token(alice) -> None:
    response = Client().get("/api/v1/contacts")
    assert response.status_code == 401


def test_it_refuses_an_unknown_token(alice) -> None:
    client = Client(headers={"Authorization": "Bearer ft_not-a-real-token"})
    assert client.get("/api/v1/contacts").status_code == 401


def test_it_refuses_a_session_login_without_a_token(alice) -> None:
    client = Client()
    client.force_login(alice)
    assert client.get("/api/v1/contacts").status_code == 401


def test_it_accepts_a_valid_token(alice, contact) -> None:
    _, raw = api_token_create(user=alice, name="Zapier")
    response = Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/contacts")
    assert response.status_code == 200
    assert [c["name"] for c in response.json()["items"]] == ["Dana Rider"]


def test_it_refuses_a_revoked_token(alice) -> None:
    token, raw = api_token_create(user=alice, name="Old laptop")
    api_token_revoke(token=token)
    response = Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/contacts")
    assert response.status_code == 401


def test_it_refuses_the_token_of_a_deactivated_user(bob) -> None:
    _, raw = api_token_create(user=bob, name="Bob's script")
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    response = Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/contacts")
    assert response.status_code == 401
