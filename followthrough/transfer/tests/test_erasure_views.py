"""Erasing from the contact page: owners and admins only, after typing the name."""

import pytest
from django.test import Client

from followthrough.outreach.models import Suppression, address_digest
from followthrough.people.models import Contact
from followthrough.people.services import contact_create


@pytest.fixture
def login(client: Client):
    def as_user(user) -> Client:
        client.force_login(user)
        return client

    return as_user


def test_it_erases_only_after_the_name_is_typed(login, alice, contact) -> None:
    client = login(alice)
    page = client.get(f"/contacts/{contact.pk}/erase/")
    assert page.status_code == 200 and "Type <strong>Dana Rider</strong>" in page.content.decode()

    wrong = client.post(f"/contacts/{contact.pk}/erase/", {"confirm_name": "Dana"})
    assert wrong.status_code == 422
    assert Contact.objects.filter(pk=contact.pk).exists()

    done = client.post(
        f"/contacts/{contact.pk}/erase/", {"confirm_name": " dana  rider "}, follow=True
    )
    assert done.redirect_chain[-1][0] == "/contacts/"
    assert "erased" in done.content.decode()
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert Suppression.objects.filter(digest=address_digest("dana@example.com")).exists()


def test_it_refuses_members(login, bob, contact) -> None:
    client = login(bob)
    assert client.get(f"/contacts/{contact.pk}/erase/").status_code == 403
    assert (
        client.post(f"/contacts/{contact.pk}/erase/", {"confirm_name": "Dana Rider"}).status_code
        == 403
    )
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_it_answers_404_for_another_workspaces_contact(login, alice, other_workspace) -> None:
    outsider = contact_create(
        workspace=other_workspace, by=None, fields={"first_name": "Out", "last_name": "Sider"}
    )
    client = login(alice)
    assert (
        client.post(f"/contacts/{outsider.pk}/erase/", {"confirm_name": "Out Sider"}).status_code
        == 404
    )
    assert client.get(f"/contacts/{outsider.pk}/export.json").status_code == 404
    assert Contact.objects.filter(pk=outsider.pk).exists()
