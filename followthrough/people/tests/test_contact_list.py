from datetime import timedelta

from followthrough.conftest import NOW
from followthrough.people.models import Contact
from followthrough.people.selectors import contact_duplicates, contact_list, review_bucket_counts


def names(contacts) -> list[str]:
    return [c.name for c in contacts]


def test_it_searches_name_email_phone_organization_and_tag(workspace, make_contact) -> None:
    from followthrough.people.services import organization_create

    org = organization_create(workspace=workspace, fields={"name": "Front Range Riders"})
    make_contact(
        "Dana", "Rider", email="dana@example.com", phone="+1 303 555 0142", tags=("gravel",)
    )
    make_contact("Lee", "Chain", organization=org)
    make_contact("Ola", "Nordmann", email="ola@example.org")
    search = lambda q: names(contact_list(workspace=workspace, query=q, now=NOW))  # noqa: E731
    assert search("dana") == ["Dana Rider"]
    assert search("EXAMPLE.ORG") == ["Ola Nordmann"]
    assert search("(303) 555-0142") == ["Dana Rider"]
    assert search("front range") == ["Lee Chain"]
    assert search("gravel") == ["Dana Rider"]
    assert search("") == ["Lee Chain", "Ola Nordmann", "Dana Rider"]


def test_it_filters_by_stage_tier_owner_tag_and_last_touch(workspace, make_contact, bob):
    gold = make_contact("Gil", "Gold", stage="client", tier="gold", tags=("racing",))
    make_contact("Sil", "Ver", stage="lead", tier="silver", owner=bob)
    Contact.objects.filter(pk=gold.pk).update(last_touched_at=NOW - timedelta(days=45))
    listed = lambda **kw: names(contact_list(workspace=workspace, now=NOW, **kw))  # noqa: E731
    assert listed(stage="client") == ["Gil Gold"]
    assert listed(tier="silver") == ["Sil Ver"]
    assert listed(owner=bob) == ["Sil Ver"]
    assert listed(tag="Racing") == ["Gil Gold"]
    assert listed(touched="31-60") == ["Gil Gold"]
    assert listed(touched="never") == ["Sil Ver"]
    assert review_bucket_counts(workspace=workspace, now=NOW)["31-60"] == 1


def test_it_never_lists_another_workspaces_contacts(workspace, other_workspace, make_contact):
    make_contact("Dana", "Rider")
    make_contact("Dana", "Elsewhere", ws=other_workspace)
    assert names(contact_list(workspace=workspace, query="dana", now=NOW)) == ["Dana Rider"]


def test_it_finds_duplicates_by_email_or_phone(workspace, other_workspace, make_contact, contact):
    make_contact("Dana", "Copy", email="dana@example.com", ws=other_workspace)
    assert contact_duplicates(workspace=workspace, emails=["DANA@example.com"], phones=[]) == [
        contact
    ]
    assert contact_duplicates(workspace=workspace, emails=[], phones=["+14155550100"]) == [contact]
    assert (
        contact_duplicates(
            workspace=workspace, emails=["dana@example.com"], phones=[], exclude_id=contact.pk
        )
        == []
    )
