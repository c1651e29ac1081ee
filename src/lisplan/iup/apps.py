from django.apps import AppConfig


class IupConfig(AppConfig):
    name = "lisplan.iup"
    verbose_name = "Individuelle utdanningsplaner"
