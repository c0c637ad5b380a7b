from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "followthrough.activity"
    label = "activity"
