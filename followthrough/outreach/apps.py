from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "followthrough.outreach"
    label = "outreach"
    verbose_name = "Outreach"
