from django.apps import AppConfig


class SwitchConfig(AppConfig):
    name = "switch"
    verbose_name = "Switch gate"
