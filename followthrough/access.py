"""The one place where workspace-scoped rows are looked up by id (DESIGN C8, STYLE habit 4).

Every view, API handler and command that takes an id from outside goes through an `access_*`
function. A row of another workspace answers exactly like a row that does not exist: Http404, which
both the web views and the API turn into a 404.
"""

from typing import TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from django.http import Http404

from followthrough.accounts.models import ApiToken, User, Workspace
from followthrough.activity.models import FollowUp, Interaction
from followthrough.events.models import LeadForm
from followthrough.outreach.models import Campaign, EmailTemplate, Segment
from followthrough.people.models import Contact, Organization
from followthrough.playbooks.models import Playbook
from followthrough.transfer.models import ImportJob

M = TypeVar("M", bound=Model)


def _get(queryset: QuerySet[M], object_id: object) -> M:
    try:
        return queryset.get(pk=int(str(object_id)))
    except (ValueError, ObjectDoesNotExist):
        raise Http404(f"No such {queryset.model._meta.verbose_name}") from None


def access_contact(*, workspace: Workspace, contact_id: object) -> Contact:
    return _get(
        Contact.objects.filter(workspace=workspace).select_related("organization", "owner"),
        contact_id,
    )


def access_organization(*, workspace: Workspace, organization_id: object) -> Organization:
    return _get(Organization.objects.filter(workspace=workspace), organization_id)


def access_interaction(*, workspace: Workspace, interaction_id: object) -> Interaction:
    return _get(
        Interaction.objects.filter(workspace=workspace).select_related("contact"), interaction_id
    )


def access_followup(*, workspace: Workspace, followup_id: object) -> FollowUp:
    return _get(
        FollowUp.objects.filter(workspace=workspace).select_related("contact", "assignee"),
        followup_id,
    )


def access_user(*, workspace: Workspace, user_id: object) -> User:
    return _get(User.objects.filter(workspace=workspace, is_active=True), user_id)


def access_api_token(*, user: User, token_id: object) -> ApiToken:
    return _get(ApiToken.objects.filter(user=user), token_id)


def access_playbook(*, workspace: Workspace, playbook_id: object) -> Playbook:
    return _get(Playbook.objects.filter(workspace=workspace), playbook_id)


def access_lead_form(*, workspace: Workspace, lead_form_id: object) -> LeadForm:
    return _get(LeadForm.objects.filter(workspace=workspace), lead_form_id)


def access_email_template(*, workspace: Workspace, template_id: object) -> EmailTemplate:
    return _get(EmailTemplate.objects.filter(workspace=workspace), template_id)


def access_segment(*, workspace: Workspace, segment_id: object) -> Segment:
    return _get(Segment.objects.filter(workspace=workspace), segment_id)


def access_campaign(*, workspace: Workspace, campaign_id: object) -> Campaign:
    return _get(
        Campaign.objects.filter(workspace=workspace).select_related("template", "segment"),
        campaign_id,
    )


def access_import_job(*, workspace: Workspace, job_id: object) -> ImportJob:
    return _get(ImportJob.objects.filter(workspace=workspace).defer("data"), job_id)
