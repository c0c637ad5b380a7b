from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "followthrough.outreach"
    label = "outreach"
    verbose_name = "Outreach"

    def ready(self) -> None:
        from followthrough.outreach import checks  # noqa: F401  registers the start-up checks
