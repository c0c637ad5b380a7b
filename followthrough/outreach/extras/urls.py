"""Public URLs outside the logged-in UI: the calendar feed and the inbound mail endpoint. The
secret in each URL is the only credential, so both are rate limited per address."""

from django.urls import path

from followthrough.web.views import outreach_extras

urlpatterns = [
    path("calendar/<slug:token>.ics", outreach_extras.calendar_feed, name="calendar_feed"),
    path("hooks/inbound/<slug:token>/", outreach_extras.inbound_post, name="inbound_post"),
]
