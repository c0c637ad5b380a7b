"""Templates and segments can be deleted while no campaign uses them; one that a campaign used
stays with it, and the page says which campaign."""

from followthrough.outreach.models import EmailTemplate, Segment


def test_it_deletes_an_unused_template_and_segment(
    alice_client, newsletter, clients_segment
) -> None:
    response = alice_client.post(f"/outreach/templates/{newsletter.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == "/outreach/"
    response = alice_client.post(f"/outreach/segments/{clients_segment.pk}/delete/")
    assert response.status_code == 302
    assert not EmailTemplate.objects.exists() and not Segment.objects.exists()
    page = alice_client.get("/outreach/").content.decode()
    assert "Segment “Clients” deleted." in page


def test_it_keeps_what_a_campaign_used_and_says_which(alice_client, make_campaign) -> None:
    campaign = make_campaign(name="November news")
    response = alice_client.post(f"/outreach/templates/{campaign.template_id}/delete/", follow=True)
    assert "Used by the campaign “November news”: it is kept with them." in (
        response.content.decode()
    )
    alice_client.post(f"/outreach/segments/{campaign.segment_id}/delete/")
    assert EmailTemplate.objects.filter(pk=campaign.template_id).exists()
    assert Segment.objects.filter(pk=campaign.segment_id).exists()


def test_another_workspace_cannot_delete_them(charlie_client, newsletter, clients_segment) -> None:
    assert charlie_client.post(f"/outreach/templates/{newsletter.pk}/delete/").status_code == 404
    assert (
        charlie_client.post(f"/outreach/segments/{clients_segment.pk}/delete/").status_code == 404
    )
    assert EmailTemplate.objects.exists() and Segment.objects.exists()


def test_the_pages_offer_delete(alice_client, newsletter, clients_segment) -> None:
    assert (
        "Delete template"
        in alice_client.get(f"/outreach/templates/{newsletter.pk}/").content.decode()
    )
    assert (
        "Delete segment"
        in alice_client.get(f"/outreach/segments/{clients_segment.pk}/").content.decode()
    )
