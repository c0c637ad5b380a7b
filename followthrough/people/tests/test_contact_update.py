from followthrough.people.services import PhoneInput, contact_update, organization_update


def test_it_keeps_lists_that_are_not_given(contact) -> None:
    contact_update(contact=contact, fields={"stage": "lapsed"})
    contact.refresh_from_db()
    assert contact.stage == "lapsed"
    assert contact.emails.get().email == "dana@example.com"
    assert contact.phones.get().number == "+14155550100"


def test_it_replaces_lists_that_are_given(contact) -> None:
    contact_update(
        contact=contact,
        fields={},
        phones=[PhoneInput("+44 20 7946 0018", "work")],
        tags=["e-bikes"],
    )
    assert contact.phones.get().number == "+442079460018"
    assert "e-bikes" in contact.search_text and "road cycling" not in contact.search_text


def test_it_refreshes_search_text_when_the_organization_is_renamed(workspace, make_contact):
    from followthrough.people.services import organization_create

    org = organization_create(workspace=workspace, fields={"name": "Velo Club"})
    member = make_contact("Sam", "Spin", organization=org)
    organization_update(organization=org, fields={"name": "Boulder Road Club"})
    member.refresh_from_db()
    assert "boulder road club" in member.search_text
