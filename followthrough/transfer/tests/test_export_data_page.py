"""The Export and data page and the whole-workspace download: owners and admins only."""

import json

import pytest
from django.test import Client


@pytest.fixture
def login(client: Client):
    def as_user(user) -> Client:
        client.force_login(user)
        return client

    return as_user


def test_it_shows_the_exports_and_the_merge_review_to_admins(login, alice) -> None:
    page = login(alice).get("/settings/data/")
    html = page.content.decode()
    assert page.status_code == 200
    for link in (
        "/contacts/export.csv",
        "/contacts/export.xlsx",
        "/contacts/export.vcf",
        "/settings/data/workspace.json",
        "/contacts/duplicates/",
    ):
        assert link in html
    assert 'href="/settings/data/">Export and data</a>' in login(alice).get("/").content.decode()


def test_it_downloads_the_workspace_as_json(login, alice, contact) -> None:
    response = login(alice).get("/settings/data/workspace.json")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(b"".join(response.streaming_content))
    assert data["workspace"]["name"] == "Spoke & Chain Cycles"
    assert [c["first_name"] for c in data["tables"]["people.contact"]] == ["Dana"]
    assert all("password" not in u for u in data["tables"]["accounts.user"])


def test_it_keeps_members_out(login, bob) -> None:
    client = login(bob)
    assert client.get("/settings/data/").status_code == 403
    assert client.get("/settings/data/workspace.json").status_code == 403
    assert "Export and data" not in client.get("/").content.decode()
