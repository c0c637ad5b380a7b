from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "followthrough.people"
    label = "people"
