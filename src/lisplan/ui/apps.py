from django.apps import AppConfig


class UiConfig(AppConfig):
    name = "lisplan.ui"
    label = "ui"
    verbose_name = "Brukerflate"
