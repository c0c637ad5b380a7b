"""The web UI's URLs (the contract other parts rely on is in the issue's URL list)."""

from django.urls import path

from followthrough.web.views import (
    agenda,
    auth,
    contact_page,
    contacts,
    followups,
    organizations,
    reports,
)

app_name = "web"
urlpatterns = [
    path("", agenda.agenda, name="agenda"),
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("account/", auth.account, name="account"),
    path("account/tokens/", auth.tokens, name="tokens"),
    path("account/tokens/<int:token_id>/revoke/", auth.token_revoke, name="token_revoke"),
    path("contacts/", contacts.contacts, name="contacts"),
    path("contacts/new/", contacts.contact_new, name="contact_new"),
    path("contacts/<int:contact_id>/", contact_page.contact_page, name="contact"),
    path("contacts/<int:contact_id>/edit/", contacts.contact_edit, name="contact_edit"),
    path("contacts/<int:contact_id>/log/", contact_page.contact_log, name="contact_log"),
    path("contacts/<int:contact_id>/followups/new/", contact_page.followup_new,
         name="followup_new"),
    path("contacts/<int:contact_id>/flag/", contact_page.contact_flag, name="contact_flag"),
    path("followups/<int:followup_id>/complete/", followups.complete, name="followup_complete"),
    path("followups/<int:followup_id>/snooze/", followups.snooze, name="followup_snooze"),
    path("followups/<int:followup_id>/reschedule/", followups.reschedule,
         name="followup_reschedule"),
    path("followups/<int:followup_id>/skip/", followups.skip, name="followup_skip"),
    path("organizations/", organizations.organizations, name="organizations"),
    path("organizations/new/", organizations.organization_new, name="organization_new"),
    path("organizations/<int:organization_id>/", organizations.organization_page,
         name="organization"),
    path("organizations/<int:organization_id>/edit/", organizations.organization_edit,
         name="organization_edit"),
    path("review/", reports.review, name="review"),
    path("neglected/", reports.neglected, name="neglected"),
]
