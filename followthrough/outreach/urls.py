"""Public outreach links (no login): one-click unsubscribe and tracked clicks."""

from django.urls import path

from followthrough.outreach import views

app_name = "outreach"
urlpatterns = [
    path("u/<str:token>", views.unsubscribe, name="unsubscribe"),
    path("t/<str:token>", views.click, name="click"),
]
