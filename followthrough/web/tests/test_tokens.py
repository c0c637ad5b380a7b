from followthrough.accounts.models import ApiToken
from followthrough.accounts.services import api_token_authenticate, api_token_create


def test_it_creates_a_token_and_shows_it_once(alice_client, alice) -> None:
    response = alice_client.post("/account/tokens/", {"name": "Website form"})

    raw = response.context["raw_token"]
    assert raw in response.content.decode() and "shown only this once" in response.content.decode()
    assert api_token_authenticate(raw) == alice
    again = alice_client.get("/account/tokens/").content.decode()
    assert raw not in again
    assert "Website form" in again and f"{raw[3:11]}…" in again


def test_it_lists_only_my_tokens(alice_client, bob) -> None:
    api_token_create(user=bob, name="Nightly sync of Bob")
    assert "Nightly sync" not in alice_client.get("/account/tokens/").content.decode()


def test_it_revokes_a_token(alice_client, alice) -> None:
    token, raw = api_token_create(user=alice, name="Old script")

    response = alice_client.post(f"/account/tokens/{token.pk}/revoke/")

    assert response.url == "/account/tokens/"
    assert api_token_authenticate(raw) is None
    assert "revoked" in alice_client.get("/account/tokens/").content.decode()


def test_it_does_not_revoke_someone_elses_token(alice_client, bob) -> None:
    token, raw = api_token_create(user=bob, name="Bob's script")

    assert alice_client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_it_needs_a_name(alice_client) -> None:
    response = alice_client.post("/account/tokens/", {"name": ""})
    assert response.status_code == 400 and not ApiToken.objects.exists()
