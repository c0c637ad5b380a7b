"""Public outreach links (no login): one-click unsubscribe and tracked clicks."""

from django.urls import path

from followthrough.outreach import views

app_name = "outreach"
urlpatterns = [
    # The unsubscribe link of a preview or test email (selectors.preview_url).
    path("u/preview", views.unsubscribe_preview, name="unsubscribe_preview"),
    path("u/<str:token>", views.unsubscribe, name="unsubscribe"),
    path("t/<str:token>", views.click, name="click"),
]
