from django.urls import path

from followthrough.events import webhooks

app_name = "hooks"
urlpatterns = [
    path("stripe", webhooks.stripe_hook, name="stripe"),
    path("shopify", webhooks.shopify_hook, name="shopify"),
    path("forms/<slug:slug>", webhooks.lead_form, name="form"),
]
