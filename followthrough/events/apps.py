from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "followthrough.events"
    label = "events"
