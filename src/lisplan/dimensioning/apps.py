from django.apps import AppConfig


class DimensioningConfig(AppConfig):
    name = "lisplan.dimensioning"
    verbose_name = "Dimensjonering"
