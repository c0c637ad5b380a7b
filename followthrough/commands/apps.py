from django.apps import AppConfig


class CommandsConfig(AppConfig):
    """The command line's management commands (wrapped by followthrough.cli)."""

    name = "followthrough.commands"
    label = "commands"
