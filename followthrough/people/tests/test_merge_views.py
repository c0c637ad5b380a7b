"""The duplicate review page and the side-by-side merge screen."""

import pytest

from followthrough.people.models import Contact


@pytest.fixture
def twins(make_contact):
    return (
        make_contact("Erin", "Climb", email="erin@hills.test", title="Coach"),
        make_contact("Erin", "Climbs", email="erin@hills.test", phone="+1 212 555 0142"),
    )


def test_it_lists_pairs_and_compares_them_side_by_side(alice_client, twins) -> None:
    keep, other = twins
    review = alice_client.get("/contacts/duplicates/")
    assert review.status_code == 200
    assert f"/contacts/merge/{keep.pk}/{other.pk}/" in review.content.decode()
    assert "Same email erin@hills.test" in review.content.decode()

    page = alice_client.get(f"/contacts/merge/{keep.pk}/{other.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Coach" in html and "+12125550142" in html
    assert 'name="choice_name"' in html


def test_it_merges_with_the_chosen_values(alice_client, twins) -> None:
    keep, other = twins
    response = alice_client.post(
        f"/contacts/merge/{keep.pk}/{other.pk}/",
        {"choice_name": "other", "choice_title": "keep"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"/contacts/{keep.pk}/"
    assert "Merged into Erin Climbs" in response.content.decode()
    keep.refresh_from_db()
    assert (keep.last_name, keep.title) == ("Climbs", "Coach")
    assert [p.number for p in keep.phones.all()] == ["+12125550142"]
    assert not Contact.objects.filter(pk=other.pk).exists()


def test_it_answers_404_for_another_workspaces_contact(
    alice_client, twins, make_contact, other_workspace
) -> None:
    keep, _ = twins
    outsider = make_contact("Erin", "Climb", ws=other_workspace)
    assert alice_client.get(f"/contacts/merge/{keep.pk}/{outsider.pk}/").status_code == 404
    assert alice_client.post(f"/contacts/merge/{outsider.pk}/{keep.pk}/").status_code == 404
    assert Contact.objects.filter(pk=outsider.pk).exists()
