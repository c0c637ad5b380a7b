from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "followthrough.insight"
    label = "insight"
    verbose_name = "Rhythm and value"
