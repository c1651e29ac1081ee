from django.apps import AppConfig


class IupConfig(AppConfig):
    name = "lisplan.iup"
    verbose_name = "Individuelle utdanningsplaner"

    def ready(self) -> None:
        from lisplan.iup import deadlines

        deadlines.connect()
